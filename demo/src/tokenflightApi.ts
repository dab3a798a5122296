import { answeredFromOutside, createClient, indexedDbTokenStore, oauthRefresh, storageTokenStore } from "../../src/index.js";
import type { SessionReason, StepUp } from "../../src/index.js";
import type { AppApi, DocumentList, SignedIn } from "./appApi.js";
import type { AuthMode, TokenStoreKind } from "./settings.js";
import { csrfCookieValue, hasCsrfCookie, tokensKey } from "./storedSession.js";

export type TokenflightApiOptions = {
	mode: AuthMode;
	store: TokenStoreKind;
	/**
	 * Called once per episode when the session cannot be recovered; it navigates, so it returns nothing.
	 * `undefined` (`?reauth=default`): tokenflight's default, a bare `location.reload()`.
	 */
	reauthenticate: ((reason: SessionReason) => void) | undefined;
	/** RFC 9470 step-up: asks the user for a second factor; the challenged request is retried after it. */
	stepUp: StepUp | undefined;
};

/** The app's API over tokenflight: refresh is single-flighted across tabs, and a dead session stalls requests instead of failing them. */
export function createTokenflightApi({ mode, store: storeKind, reauthenticate, stepUp }: TokenflightApiOptions): AppApi {
	const store = storeKind === "indexedDB" ? indexedDbTokenStore("demo-tokens") : storageTokenStore(localStorage, tokensKey);
	const client = createClient({
		baseUrl: `${location.origin}/api/`,
		auth:
			mode === "cookie"
				? { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token" } }
				: {
						type: "bearer",
						store,
						refresh: oauthRefresh({ tokenEndpoint: new URL("/oauth/token", location.origin).href, clientId: "demo" }),
					},
		identity: (response) => response.headers.get("x-user-id"),
		// A dead session that does not say 401: a redirect off the API (seed 001's 302 → /home), an HTML page where
		// JSON was asked for, or an auth proxy's login on another origin that the browser reports as a network error.
		sessionEnded: answeredFromOutside(),
		...(reauthenticate === undefined ? {} : { reauthenticate }),
		...(stepUp === undefined ? {} : { stepUp }),
	});

	return {
		kind: "tokenflight",
		mode,
		session: client.session,
		info: () => client.post("auth.info"),
		listDocuments: (limit) => client.post<DocumentList>("documents.list", limit === undefined ? {} : { limit }),
		recentDocuments: () => client.get<DocumentList>("documents?limit=3"),
		createDocument: (title) => client.post("documents.create", { title }),
		exportWorkspace: () => client.post("workspace.export"),
		refreshEmbeddedSession: () => client.get("auth/refresh-keycloak-session"),
		hasCredentials: async () => (mode === "cookie" ? hasCsrfCookie() : (await store.get()) !== null),
		async credentials() {
			if (mode === "cookie") return [csrfCookieValue()].filter((value): value is string => value !== undefined);
			const tokens = await store.get();
			return tokens ? [tokens.accessToken, tokens.refreshToken].filter((value): value is string => typeof value === "string") : [];
		},
		async signIn({ accessToken, refreshToken, expiresAt, user }: SignedIn) {
			await client.signIn(mode === "bearer" ? { accessToken, refreshToken, expiresAt } : undefined, user.id);
		},
		logout: () => client.logout(),
	};
}
