/**
 * Reads the `exp` claim (seconds) of a JWT and returns it in epoch milliseconds.
 * Opaque or malformed tokens return undefined: expiry is then unknown and only a 401 triggers a refresh.
 */
export function jwtExpiresAt(token: string): number | undefined {
	const exp = jwtClaims(token)?.exp;
	return exp === undefined ? undefined : exp * 1000;
}

/** The numeric `exp` and `iat` claims (seconds, on the server's clock), or undefined for an opaque or malformed token. */
export function jwtClaims(token: string): { exp?: number; iat?: number } | undefined {
	const parts = token.split(".");
	if (parts.length !== 3 || !parts[1]) return undefined;
	try {
		const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
		const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
		const claims = JSON.parse(decodeBase64(padded)) as { exp?: unknown; iat?: unknown } | null;
		const result: { exp?: number; iat?: number } = {};
		if (typeof claims?.exp === "number" && Number.isFinite(claims.exp)) result.exp = claims.exp;
		if (typeof claims?.iat === "number" && Number.isFinite(claims.iat)) result.iat = claims.iat;
		return result;
	} catch {
		return undefined;
	}
}

function decodeBase64(value: string): string {
	const binary = atob(value);
	const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
	return new TextDecoder().decode(bytes);
}
