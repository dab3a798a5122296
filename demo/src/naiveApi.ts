import ky from "ky";
import type { SessionListener, SessionSnapshot, SessionStore } from "../../src/index.js";
import type { AppApi, DocumentList, SignedIn } from "./appApi.js";
import type { AuthMode } from "./settings.js";
import { csrfCookieValue, hasCsrfCookie, tokensKey } from "./storedSession.js";

/** Outline's error for a 401 in SSO mode. */
export class AuthorizationError extends Error {
	override name = "AuthorizationError";
}

export type NaiveApiOptions = {
	mode: AuthMode;
	/**
	 * Runs on every 401, before the page is sent to its own URL again. `false` keeps the page where it is: the
	 * side-by-side page's cap on a reload loop, which the naive client itself does not have.
	 */
	onUnauthorized(): boolean | void;
};

/**
 * Outline's ApiClient before the fix (seed 001), on ky: every 401 reloads the page *and* throws, so each
 * request in flight rejects and the UI toasts it while the navigation is still under way. No refresh, no
 * single flight, no loop guard.
 */
export function createNaiveApi({ mode, onUnauthorized }: NaiveApiOptions): AppApi {
	const session = createSimpleSession();
	const api = ky.create({
		prefix: `${location.origin}/api/`,
		retry: 0,
		credentials: mode === "cookie" ? "include" : "omit",
		hooks: {
			beforeRequest: [
				({ request }) => {
					if (mode === "bearer") {
						const tokens = readTokens();
						if (tokens) request.headers.set("authorization", `Bearer ${tokens.accessToken}`);
					} else if (request.method !== "GET") {
						const csrf = /(?:^|;\s*)csrfToken=([^;]*)/.exec(document.cookie)?.[1];
						if (csrf) request.headers.set("x-csrf-token", decodeURIComponent(csrf));
					}
				},
			],
			afterResponse: [
				({ response }) => {
					if (response.status === 401) {
						session.update({ status: "reauthenticating", reason: "unauthorized" });
						// ApiClient.ts:181-202 as it was: reload, and throw to the caller all the same.
						if (onUnauthorized() !== false) window.location.replace(window.location.href);
						throw new AuthorizationError("Unauthorized");
					}
					if (response.ok) {
						const user = response.headers.get("x-user-id") ?? undefined;
						if (session.store.getSnapshot().status !== "reauthenticating") session.update({ status: "authenticated", identity: user });
					}
				},
			],
		},
	});

	return {
		kind: "naive",
		mode,
		session: session.store,
		info: () => api.post("auth.info", { json: {} }).json(),
		listDocuments: (limit) => api.post("documents.list", { json: limit === undefined ? {} : { limit } }).json<DocumentList>(),
		recentDocuments: () => api.get("documents?limit=3").json<DocumentList>(),
		createDocument: (title) => api.post("documents.create", { json: { title } }).json(),
		exportWorkspace: () => api.post("workspace.export", { json: {} }).json(),
		refreshEmbeddedSession: () => api.get("auth/refresh-keycloak-session").json(),
		hasCredentials: async () => (mode === "cookie" ? hasCsrfCookie() : readTokens() !== null),
		async credentials() {
			if (mode === "cookie") return [csrfCookieValue()].filter((value): value is string => value !== undefined);
			const tokens = readTokens();
			return tokens ? [tokens.accessToken, tokens.refreshToken].filter((value): value is string => typeof value === "string") : [];
		},
		async signIn({ accessToken, refreshToken, expiresAt, user }: SignedIn) {
			if (mode === "bearer") localStorage.setItem(tokensKey, JSON.stringify({ accessToken, refreshToken, expiresAt }));
			session.update({ status: "authenticated", identity: user.id, reason: undefined });
		},
		async logout() {
			localStorage.removeItem(tokensKey);
			session.update({ status: "signedOut", identity: undefined, reason: undefined });
		},
	};
}

function readTokens(): { accessToken: string; refreshToken?: unknown } | null {
	try {
		const value: unknown = JSON.parse(localStorage.getItem(tokensKey) ?? "null");
		return typeof value === "object" && value !== null && typeof (value as { accessToken?: unknown }).accessToken === "string"
			? (value as { accessToken: string; refreshToken?: unknown })
			: null;
	} catch {
		return null;
	}
}

function createSimpleSession() {
	let snapshot: SessionSnapshot = { status: "unknown" };
	const listeners = new Set<SessionListener>();
	const store: SessionStore = {
		getSnapshot: () => snapshot,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
	return {
		store,
		update(patch: Partial<SessionSnapshot>): void {
			snapshot = { ...snapshot, ...patch };
			for (const listener of listeners) listener(snapshot);
		},
	};
}
