import type { SessionReason } from "./sessionState.js";

export type RedirectOptions = {
	/** Origins the sign-in page may live on, besides the page's own. */
	allowedOrigins?: readonly string[];
	/** @default globalThis.location */
	location?: Pick<Location, "assign" | "origin" | "href">;
};

/**
 * A `reauthenticate` that sends the browser to a sign-in URL, refusing any URL outside the allowed origins:
 * a `returnTo` or a server-supplied URL must never become an open redirect.
 *
 * @example createClient({ …, reauthenticate: redirectTo((reason) => `/login?reason=${reason}`, { allowedOrigins: ["https://sso.example"] }) })
 */
export function redirectTo(url: string | ((reason: SessionReason) => string), options: RedirectOptions = {}): (reason: SessionReason) => void {
	return (reason) => {
		const location = options.location ?? globalThis.location;
		const target = new URL(typeof url === "function" ? url(reason) : url, location.href);
		const allowed = new Set([location.origin, ...(options.allowedOrigins ?? []).map((origin) => new URL(origin).origin)]);
		if (!allowed.has(target.origin) || !/^https?:$/.test(target.protocol)) {
			throw new TypeError(`tokenflight: refusing to redirect to ${target.origin}, which is not an allowed origin`);
		}
		location.assign(target.href);
	};
}
