import { jwtClaims } from "../tokens/jwt.js";
import type { TokenSet } from "../tokens/types.js";

// Skews below this are noise: the Date header has a one-second resolution.
const skewFloorMs = 2_000;

export type TokenClock = {
	/** The server's clock as best known (epoch ms). */
	now(): number;
	/** Learns the server's clock from a `Date` header or a fresh token's `iat` (epoch ms). */
	learn(serverNow: number | undefined): void;
	/** A refresh just stored `tokens`: their `iat` tells the server's time, and their lifetime caps the leeway. */
	issued(tokens: TokenSet | undefined): void;
	isExpiring(tokens: TokenSet): boolean;
	hasExpired(tokens: TokenSet | undefined): boolean;
};

/** When bearer tokens expire, on our clock: JWT `exp` and `iat` are on the server's, `expiresAt` on ours. */
export function tokenClock(leewayMs: number): TokenClock {
	// Server clock minus ours.
	let skewMs = 0;
	// When a refresh has just handed out a short-lived token, the leeway is capped at half its lifetime:
	// a 30 s leeway on a 2 s token would make every request refresh.
	let lastIssued: { accessToken: string; at: number } | undefined;

	function expiresAt(tokens: TokenSet): number | undefined {
		if (tokens.expiresAt !== undefined) return tokens.expiresAt;
		const exp = jwtClaims(tokens.accessToken)?.exp;
		return exp === undefined ? undefined : exp * 1000 - skewMs;
	}

	const clock: TokenClock = {
		now: () => Date.now() + skewMs,
		learn(serverNow) {
			if (serverNow === undefined || !Number.isFinite(serverNow)) return;
			const skew = serverNow - Date.now();
			skewMs = Math.abs(skew) < skewFloorMs ? 0 : skew;
		},
		issued(tokens) {
			if (!tokens) {
				lastIssued = undefined;
				return;
			}
			const at = Date.now();
			const iat = jwtClaims(tokens.accessToken)?.iat;
			if (iat !== undefined) clock.learn(iat * 1000);
			lastIssued = { accessToken: tokens.accessToken, at };
		},
		isExpiring(tokens) {
			const expiry = expiresAt(tokens);
			if (expiry === undefined) return false;
			const lifetime = lastIssued?.accessToken === tokens.accessToken ? expiry - lastIssued.at : Infinity;
			return expiry - Date.now() <= Math.min(leewayMs, lifetime / 2);
		},
		hasExpired(tokens) {
			const expiry = tokens && expiresAt(tokens);
			return expiry !== undefined && expiry <= Date.now();
		},
	};
	return clock;
}
