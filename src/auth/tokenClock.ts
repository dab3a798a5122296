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

/**
 * When bearer tokens expire, on our clock: JWT `exp` and `iat` are on the token server's, `expiresAt` on ours. A token
 * refreshed here with `iat` lasts `exp - iat` from when it arrived; the API's `Date` header (another machine's clock)
 * places only the rest. Each clock keeps its own skew: one never overwrites the other.
 */
export function tokenClock(leewayMs: number): TokenClock {
	// The API's clock minus ours (Date headers), and the token server's (the `iat` of a token just issued).
	let dateSkewMs: number | undefined;
	let issuerSkewMs: number | undefined;
	// The token a refresh just handed out: when it arrived, and when it ends by its own lifetime (exp - iat). Its leeway
	// is capped at half its lifetime: a 30 s leeway on a 2 s token would make every request refresh.
	let lastIssued: { accessToken: string; at: number; expiresAt: number | undefined } | undefined;
	const skew = (serverNow: number) => {
		const ms = serverNow - Date.now();
		return Math.abs(ms) < skewFloorMs ? 0 : ms;
	};

	function expiresAt(tokens: TokenSet): number | undefined {
		if (tokens.expiresAt !== undefined) return tokens.expiresAt;
		if (lastIssued?.accessToken === tokens.accessToken && lastIssued.expiresAt !== undefined) return lastIssued.expiresAt;
		const exp = jwtClaims(tokens.accessToken)?.exp;
		return exp === undefined ? undefined : exp * 1000 - (dateSkewMs ?? issuerSkewMs ?? 0);
	}

	const clock: TokenClock = {
		now: () => Date.now() + (dateSkewMs ?? issuerSkewMs ?? 0),
		learn(serverNow) {
			if (serverNow === undefined || !Number.isFinite(serverNow)) return;
			dateSkewMs = skew(serverNow);
		},
		issued(tokens) {
			if (!tokens) {
				lastIssued = undefined;
				return;
			}
			const at = Date.now();
			const claims = jwtClaims(tokens.accessToken);
			const { iat, exp } = claims ?? {};
			if (iat !== undefined) issuerSkewMs = skew(iat * 1000);
			lastIssued = { accessToken: tokens.accessToken, at, expiresAt: iat !== undefined && exp !== undefined ? at + (exp - iat) * 1000 : undefined };
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
