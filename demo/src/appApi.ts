import type { SessionStore } from "../../src/index.js";
import type { MockDocument, MockUser } from "../../src/msw/index.js";
import type { AuthMode, ClientKind } from "./settings.js";

export type DocumentList = { data: MockDocument[]; user: MockUser };

/** What `auth.login` and `auth.sso` answer. */
export type SignedIn = { accessToken: string; refreshToken: string; expiresAt: number; user: MockUser; csrfToken?: string };

/** The app's API layer: the same calls over tokenflight or over the naive client, so only the client differs. */
export type AppApi = {
	readonly kind: ClientKind;
	readonly mode: AuthMode;
	/** tokenflight's session store; the naive client keeps a look-alike so the status pill works for both. */
	readonly session: SessionStore;
	info(): Promise<{ data: { user: MockUser } }>;
	listDocuments(limit?: number): Promise<DocumentList>;
	recentDocuments(): Promise<DocumentList>;
	createDocument(title: string): Promise<{ data: MockDocument }>;
	/** Exporting the workspace needs a recent second factor: a step-up challenge (RFC 9470) until the session has one. */
	exportWorkspace(): Promise<{ data: { file: string } }>;
	/** The embedded app's call on mount (seed 002): `GET /api/auth/refresh-keycloak-session` with the app's credential. */
	refreshEmbeddedSession(): Promise<unknown>;
	/** Whether bearer tokens are stored (cookie mode: whether the CSRF cookie is there). */
	hasCredentials(): Promise<boolean>;
	/** The stored credentials themselves (bearer: access and refresh token; cookie mode: the CSRF cookie's value). */
	credentials(): Promise<string[]>;
	signIn(signedIn: SignedIn): Promise<void>;
	logout(): Promise<void>;
};
