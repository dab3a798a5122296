import Cookies from "js-cookie";
import type { TokenSet, TokenStore } from "./types.js";

/** Tokens kept in memory only: gone on reload, invisible to other tabs. */
export function memoryTokenStore(initial?: TokenSet | null): TokenStore {
	let tokens = initial ? { ...initial } : null;
	return {
		get: () => tokens,
		set: (next) => {
			tokens = { ...next };
		},
		clear: () => {
			tokens = null;
		},
	};
}

export type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * Tokens kept as JSON in a Web Storage (localStorage is shared by tabs, sessionStorage is not).
 * A storage that throws (Safari private mode, a sandboxed iframe) degrades to memory for this page.
 */
export function storageTokenStore(storage: StorageLike, key = "tokenflight:tokens"): TokenStore {
	const fallback = memoryTokenStore();
	let broken = false;
	return {
		get() {
			if (broken) return fallback.get();
			try {
				return parseTokenSet(storage.getItem(key));
			} catch {
				broken = true;
				return fallback.get();
			}
		},
		set(tokens) {
			fallback.set(tokens);
			if (broken) return;
			try {
				storage.setItem(key, JSON.stringify(tokens));
			} catch {
				broken = true;
			}
		},
		clear() {
			fallback.clear();
			try {
				storage.removeItem(key);
			} catch {
				broken = true;
			}
		},
	};
}

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

/** Parses a stored token set; anything malformed reads as "no tokens" rather than throwing. */
export function parseTokenSet(raw: string | null): TokenSet | null {
	if (raw === null || raw === "") return null;
	try {
		const value: unknown = JSON.parse(raw);
		return isTokenSet(value) ? value : null;
	} catch {
		return null;
	}
}

export function isTokenSet(value: unknown): value is TokenSet {
	if (typeof value !== "object" || value === null) return false;
	const { accessToken, refreshToken, expiresAt } = value as Record<string, unknown>;
	return (
		typeof accessToken === "string" &&
		accessToken !== "" &&
		(refreshToken === undefined || typeof refreshToken === "string") &&
		(expiresAt === undefined || (typeof expiresAt === "number" && Number.isFinite(expiresAt)))
	);
}
