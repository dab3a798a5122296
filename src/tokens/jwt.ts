/**
 * Reads the `exp` claim (seconds) of a JWT and returns it in epoch milliseconds.
 * Opaque or malformed tokens return undefined: expiry is then unknown and only a 401 triggers a refresh.
 */
export function jwtExpiresAt(token: string): number | undefined {
	const parts = token.split(".");
	if (parts.length !== 3 || !parts[1]) return undefined;
	try {
		const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
		const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
		const claims: unknown = JSON.parse(decodeBase64(padded));
		const exp = (claims as { exp?: unknown } | null)?.exp;
		return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
	} catch {
		return undefined;
	}
}

function decodeBase64(value: string): string {
	const binary = atob(value);
	const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
	return new TextDecoder().decode(bytes);
}
