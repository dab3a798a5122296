import { http } from "msw";
import type { HttpHandler } from "msw";

/**
 * An auth proxy in front of the app (oauth2-proxy, Traefik ForwardAuth) whose own session has expired. It answers
 * every API call with `302 → /oauth2/start`, which `demo/serve.mjs` redirects on to the IdP's authorize endpoint
 * on ANOTHER origin (a second port). fetch follows the redirects, the IdP sends no CORS headers, and the browser
 * reports only a network error: the redirect is hidden. A top-level navigation goes the whole way instead (the IdP
 * still knows the user, sends the browser back to `/oauth2/callback`, and the proxy session is renewed), so a
 * reload of a page served through the proxy recovers. With `?authProxy=api` only the API is behind the proxy (the
 * page comes from elsewhere, a CDN): a reload renews nothing, and only the loop guard ends the reloads.
 *
 * The proxy's session is the cookie `demo-proxy` (any path, any port of this host): `expired` while it is over.
 * The portal's and the IdP's endpoints (`auth.portal`, `auth.sso`, `auth.login`, `/oauth/token`) are not the app's
 * and are not behind the proxy.
 */
export const proxyCookie = "demo-proxy";
const key = "demo:auth-proxy";

export type AuthProxyState = {
	/** API calls the proxy answered with its redirect, the probes of hidden redirects included. */
	redirected: number;
};

const signInRoutes = new Set(["auth.portal", "auth.sso", "auth.login"]);

export function isProxySessionExpired(): boolean {
	return new RegExp(`(?:^|;\\s*)${proxyCookie}=expired(?:;|$)`).test(document.cookie);
}

/** The proxy's session expires: every API call is redirected to its login from now on, until a navigation renews it. */
export function expireProxySession(): void {
	document.cookie = `${proxyCookie}=expired; Path=/; SameSite=Lax`;
}

export function readAuthProxy(): AuthProxyState {
	try {
		const value = JSON.parse(localStorage.getItem(key) ?? "null") as Partial<AuthProxyState> | null;
		return { redirected: typeof value?.redirected === "number" ? value.redirected : 0 };
	} catch {
		return { redirected: 0 };
	}
}

export function forgetAuthProxy(): void {
	localStorage.removeItem(key);
	document.cookie = `${proxyCookie}=; Max-Age=0; Path=/`;
}

/** First of all handlers: the proxy stands in front of the whole API. */
export function authProxyHandlers(origin: string): HttpHandler[] {
	return [
		http.all(`${origin}/api/*`, ({ request }) => {
			if (!isProxySessionExpired()) return undefined;
			const url = new URL(request.url);
			if (signInRoutes.has(url.pathname.slice("/api/".length))) return undefined;
			localStorage.setItem(key, JSON.stringify({ redirected: readAuthProxy().redirected + 1 }));
			// oauth2-proxy's answer to a request without a valid session: start the login, then come back here.
			return new Response(null, { status: 302, headers: { location: `${origin}/oauth2/start?rd=${encodeURIComponent(url.pathname + url.search)}` } });
		}),
	];
}
