import { getResponse, http } from "msw";
import type { HttpHandler } from "msw";

/**
 * Seed 001's other shape: behind the SSO portal, the server answers a stale session not with a 401 but with a
 * redirect to its home page (`302 Location: /home`), and fetch follows it to a `200 text/html` page. Nothing in
 * that answer is a 401, so a client that only watches for 401 hands the HTML to the app as if it were the data.
 *
 * Kept in localStorage, so it survives the reload it causes and every tab shares it:
 * - the credentials that were current when the portal switched users (bearer: access and refresh token; cookie
 *   mode: the session's CSRF cookie, since `sid` is HttpOnly);
 * - for those, the backend's own 401 on an API route is turned into the redirect; a new session (the SSO exchange
 *   after the reload) is not affected.
 */
const key = "demo:stale-redirect";
/** Where the redirect points: any page of the SPA, which the static server answers with index.html. */
export const staleRedirectPath = "/home";

export type StaleRedirectState = {
	/** Credentials of sessions the portal has replaced. */
	stale: string[];
	/** How many API answers were turned from 401 into the redirect. */
	redirected: number;
};

// The portal's and the IdP's own endpoints: they answer for whoever is signed in, not for the app's session.
const signInRoutes = new Set(["auth.portal", "auth.sso", "auth.login"]);

export function readStaleRedirect(): StaleRedirectState | null {
	try {
		const value = JSON.parse(localStorage.getItem(key) ?? "null") as Partial<StaleRedirectState> | null;
		if (typeof value !== "object" || value === null) return null;
		return {
			stale: Array.isArray(value.stale) ? value.stale.filter((item): item is string => typeof item === "string") : [],
			redirected: typeof value.redirected === "number" ? value.redirected : 0,
		};
	} catch {
		return null;
	}
}

function write(state: StaleRedirectState): void {
	localStorage.setItem(key, JSON.stringify(state));
}

/** From now on the server answers these credentials with `302 → /home` where it would have said 401. */
export function redirectStaleSessions(credentials: readonly string[]): void {
	const state = readStaleRedirect() ?? { stale: [], redirected: 0 };
	write({ ...state, stale: [...new Set([...state.stale, ...credentials])] });
}

export function forgetStaleRedirect(): void {
	localStorage.removeItem(key);
}

function bearer(request: Request): string | undefined {
	return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

/** Put before the mock backend's handlers: asks them, and turns their 401 for a replaced session into the redirect. */
export function staleRedirectHandlers(origin: string, backend: readonly HttpHandler[]): HttpHandler[] {
	return [
		http.all(`${origin}/api/*`, async ({ request, cookies }) => {
			const state = readStaleRedirect();
			if (!state || state.stale.length === 0) return undefined;
			const route = new URL(request.url).pathname.slice("/api/".length);
			if (signInRoutes.has(route)) return undefined;
			const credential = bearer(request) ?? cookies.csrfToken;
			if (credential === undefined || !state.stale.includes(credential)) return undefined;
			const response = await getResponse([...backend], request.clone());
			if (response?.status !== 401) return response;
			const latest = readStaleRedirect() ?? state;
			write({ ...latest, redirected: latest.redirected + 1 });
			return new Response(null, { status: 302, headers: { location: `${origin}${staleRedirectPath}` } });
		}),
	];
}
