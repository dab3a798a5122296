import { InvalidCredentialError } from "../errors.js";
import type { Credentials } from "./types.js";
import { isHeaderValue } from "../core/headerValue.js";
import { readCookie } from "./readCookie.js";

export type CookieAuth = {
	type: "cookie";
	/** Double-submit CSRF: the cookie's value is sent in `header` on unsafe methods to trusted origins. */
	csrf?: {
		cookie: string;
		header: string;
		read?: (name: string) => string | undefined;
		/**
		 * Which methods carry the header, to trusted origins only. `"all"` for servers that check it on every method,
		 * GET included: Nextcloud's `requesttoken` (without it a GET gets 412 "CSRF check failed", and on a `#[CORS]`
		 * route the session is logged out).
		 * @default "unsafe" (anything but GET, HEAD, OPTIONS and TRACE)
		 */
		methods?: "unsafe" | "all";
	};
};

// RFC 9110 §9.2.1: everything else may change state, WebDAV's MKCOL, MOVE and PROPPATCH included.
const safeMethods = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export function isSafeMethod(method: string): boolean {
	return safeMethods.has(method.toUpperCase());
}

/** The session lives in cookies the browser sends; the client adds the CSRF value and re-authenticates on a 401. */
export function cookieCredentials(auth: CookieAuth): Credentials {
	const { csrf } = auth;
	if (csrf?.methods !== undefined && csrf.methods !== "unsafe" && csrf.methods !== "all") {
		throw new TypeError(`tokenflight: auth.csrf.methods takes "unsafe" or "all", got ${JSON.stringify(csrf.methods)}`);
	}
	const everyMethod = csrf?.methods === "all";
	const readCsrf = () => (csrf ? ((csrf.read ?? readCookie)(csrf.cookie) ?? undefined) : undefined);
	const resolved = Promise.resolve(true);
	return {
		prepare: async () => undefined,
		headers(_tokens, method) {
			if (!csrf || (isSafeMethod(method) && !everyMethod)) return [];
			const value = readCsrf();
			if (!value) return [];
			if (!isHeaderValue(value) || !isHeaderValue(csrf.header)) throw new InvalidCredentialError("CSRF value");
			return [[csrf.header, value]];
		},
		retriesNonce: false,
		mode: (requested) => requested ?? "include",
		// The CSRF cookie changes with the session, so it names the credential; without one, nothing does.
		credentialOf: readCsrf,
		// The browser sends the session cookie with every trusted request.
		proves: () => true,
		recover: async () => ({ type: "reauthenticate", reason: "unauthorized", credential: readCsrf() }),
		observe() {},
		store: () => resolved,
		clear: async () => {},
		refreshIfExpiring: async () => {},
		refreshNow: async () => {},
		rotatedElsewhere() {},
		dispose() {},
	};
}
