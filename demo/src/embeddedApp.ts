import { delay, http, HttpResponse } from "msw";
import type { HttpHandler } from "msw";

/**
 * Seed 002, as it really happened: the IdP (Keycloak) ended the user's SSO session, but the app's own session
 * (NextAuth's cookie there, the stored tokens or the cookie session here) is still accepted. Every page load the
 * dashboard answers 200, and the embedded app's session refresh answers 401 for the very same credential.
 *
 * The fault is kept in localStorage, so it survives the reloads it causes and is shared by every tab:
 * - `GET /api/auth/refresh-keycloak-session` answers 401 `SessionInvalidated` to a credential the IdP ended
 *   (bearer: the access token; cookie mode: the session's CSRF cookie, since `sid` is HttpOnly), 200 to any other;
 * - the token endpoint answers `invalid_grant` ("Token is not active") to an ended refresh token, so a refresh
 *   cannot mint a credential the check would accept: the credential stays the same on every load.
 * A new sign-in (a new session through the portal) is not affected: the embedded app then works.
 */
export const sessionCheckPath = "/api/auth/refresh-keycloak-session";
const key = "demo:embedded-app";

export type EmbeddedAppState = {
	/** Whether the embedded app is open: while it is, every page load mounts it, and it refreshes the IdP session. */
	open: boolean;
	/** Credentials whose SSO session the IdP has ended (access and refresh tokens, or CSRF cookie values). */
	ended: string[];
	/** What the session check answered, by status. */
	checks: Record<string, number>;
};

export function readEmbeddedApp(): EmbeddedAppState | null {
	try {
		const value = JSON.parse(localStorage.getItem(key) ?? "null") as Partial<EmbeddedAppState> | null;
		if (typeof value !== "object" || value === null) return null;
		return {
			open: value.open === true,
			ended: Array.isArray(value.ended) ? value.ended.filter((item): item is string => typeof item === "string") : [],
			checks: typeof value.checks === "object" && value.checks !== null ? value.checks : {},
		};
	} catch {
		return null;
	}
}

function write(state: EmbeddedAppState): void {
	localStorage.setItem(key, JSON.stringify(state));
}

/** The IdP ends the SSO session of these credentials; the user opens the embedded app. */
export function endSsoSession(credentials: readonly string[]): void {
	const state = readEmbeddedApp() ?? { open: false, ended: [], checks: {} };
	write({ ...state, open: true, ended: [...new Set([...state.ended, ...credentials])] });
}

export function isEmbeddedAppOpen(): boolean {
	return readEmbeddedApp()?.open === true;
}

export function forgetEmbeddedApp(): void {
	localStorage.removeItem(key);
}

function bearer(request: Request): string | undefined {
	return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

function recordCheck(status: number): void {
	const state = readEmbeddedApp() ?? { open: false, ended: [], checks: {} };
	state.checks[status] = (state.checks[status] ?? 0) + 1;
	write(state);
}

/** Put before the mock backend's handlers: the token handler falls through to the backend unless the token was ended. */
export function embeddedAppHandlers(origin: string): HttpHandler[] {
	return [
		http.get(`${origin}${sessionCheckPath}`, async ({ request, cookies }) => {
			await delay(100);
			const credential = bearer(request) ?? cookies.csrfToken;
			const ended = readEmbeddedApp()?.ended ?? [];
			let response: Response;
			if (credential === undefined || credential === "") {
				response = HttpResponse.json({ error: "authentication_required" }, { status: 401, headers: { "www-authenticate": "Bearer" } });
			} else if (ended.includes(credential)) {
				// What the seed's endpoint answered after Keycloak said invalid_grant: the app's session is left as it is.
				response = HttpResponse.json(
					{ error: "SessionInvalidated", message: "Failed to refresh Keycloak session" },
					{ status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } },
				);
			} else {
				response = HttpResponse.json({ data: { refreshed: true } });
			}
			recordCheck(response.status);
			return response;
		}),
		http.post(`${origin}/oauth/token`, async ({ request }) => {
			const ended = readEmbeddedApp()?.ended ?? [];
			if (ended.length === 0) return undefined;
			const form = new URLSearchParams(await request.clone().text());
			const refreshToken = form.get("refresh_token");
			if (form.get("grant_type") !== "refresh_token" || refreshToken === null || !ended.includes(refreshToken)) return undefined;
			await delay(300);
			return HttpResponse.json(
				{ error: "invalid_grant", error_description: "Token is not active" },
				{ status: 400, headers: { "cache-control": "no-store", pragma: "no-cache" } },
			);
		}),
	];
}
