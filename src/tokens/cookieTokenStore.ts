import Cookies from "js-cookie";
import { parseTokenSet } from "./tokenStores.js";
import type { TokenStore } from "./types.js";

// A module of its own (and a chunk of its own in dist/): an app that does not keep tokens in a cookie does not load js-cookie.

/**
 * Cookie attributes for `cookieTokenStore`, as js-cookie takes them. Declared here rather than re-exported from
 * `@types/js-cookie` so that the published declarations name no js-cookie type: consumers compile them without
 * installing `@types/js-cookie`, with `skipLibCheck: false`.
 */
export interface CookieAttributes {
	/** Days from now (a number) or a date; omitted, the cookie lives for the browser session. */
	expires?: number | Date | undefined;
	/** Default here: "/". */
	path?: string | undefined;
	domain?: string | undefined;
	/** Default here: true. */
	secure?: boolean | undefined;
	/** Default here: "strict". */
	sameSite?: "strict" | "Strict" | "lax" | "Lax" | "none" | "None" | undefined;
	/** CHIPS: with `secure` and `sameSite: "none"`, keys a third-party cookie to the top-level site. */
	partitioned?: boolean | undefined;
}

/** Tokens kept as a JSON cookie through js-cookie. Keep it `secure` and `sameSite: "strict"` unless you know why not. */
export function cookieTokenStore(name: string, attributes: CookieAttributes = {}): TokenStore {
	const options: Cookies.CookieAttributes = { sameSite: "strict", secure: true, path: "/", ...attributes };
	return {
		get: () => parseTokenSet(Cookies.get(name) ?? null),
		set: (tokens) => {
			Cookies.set(name, JSON.stringify(tokens), options);
		},
		clear: () => {
			Cookies.remove(name, options);
		},
	};
}
