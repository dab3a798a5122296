import type { TokenSet } from "../tokens/types.js";
import type { AbsoluteLimit } from "./options.js";

/** The earliest of the limits the app chose, for these tokens. */
export function absoluteFrom(limit: AbsoluteLimit | undefined, tokens: TokenSet | undefined): number | undefined {
	if (!limit) return undefined;
	const candidates: (number | undefined)[] = [];
	if (limit.refreshExpiry !== false) candidates.push(tokens?.refreshExpiresAt);
	if (limit.maxAuthAgeMs !== undefined) {
		const authTime = authTimeOf(tokens?.idToken);
		candidates.push(authTime === undefined ? undefined : authTime * 1000 + limit.maxAuthAgeMs);
	}
	if (limit.deadline) candidates.push(limit.deadline(tokens));
	const known = candidates.filter((at): at is number => typeof at === "number" && Number.isFinite(at));
	return known.length === 0 ? undefined : Math.min(...known);
}

/**
 * An ID token's `auth_time` claim (seconds), or undefined. Read here rather than with tokens/jwt.ts, which the core
 * loads: a module both used would become a chunk of its own in every app, lifetime or not.
 */
function authTimeOf(idToken: unknown): number | undefined {
	try {
		const payload = (idToken as string).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
		const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (char) => char.charCodeAt(0)))) as { auth_time?: unknown };
		return typeof claims.auth_time === "number" && Number.isFinite(claims.auth_time) ? claims.auth_time : undefined;
	} catch {
		return undefined;
	}
}

