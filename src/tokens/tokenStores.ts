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

/** The part of a Web Storage tokenflight uses; spelled out so a project without the DOM lib can use the types. */
export type StorageLike = { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };

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
