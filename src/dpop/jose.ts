/** The public half of an ES256 key as it goes into a proof's `jwk` header: only the members RFC 7518 §6.2.1 defines. */
export type PublicJwk = { kty: "EC"; crv: "P-256"; x: string; y: string };

const encoder = new TextEncoder();

export function base64url(bytes: ArrayBuffer | Uint8Array): string {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let binary = "";
	for (const byte of view) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64urlJson(value: unknown): string {
	return base64url(encoder.encode(JSON.stringify(value)));
}

export function utf8(value: string): Uint8Array<ArrayBuffer> {
	return encoder.encode(value);
}

async function sha256(value: string): Promise<string> {
	return base64url(await crypto.subtle.digest("SHA-256", utf8(value)));
}

/**
 * A proof's `ath` (RFC 9449 §4.2): the base64url SHA-256 of the access token's ASCII form, so the proof is only good
 * with that one token.
 */
export function accessTokenHash(accessToken: string): Promise<string> {
	return sha256(accessToken);
}

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const thumbprintMembers: Record<string, readonly string[]> = {
	EC: ["crv", "kty", "x", "y"],
	RSA: ["e", "kty", "n"],
	OKP: ["crv", "kty", "x"],
	oct: ["k", "kty"],
};

/**
 * The RFC 7638 JWK SHA-256 thumbprint, base64url: what a server binds the tokens to (`cnf.jkt`, RFC 9449 §6) and what
 * `dpop_jkt` names in an authorization request (§10). Only the required members count, in lexicographic order.
 */
export function jwkThumbprint(jwk: { kty: string } & Record<string, unknown>): Promise<string> {
	const members = thumbprintMembers[jwk.kty];
	if (!members) return Promise.reject(new TypeError(`tokenflight/dpop: no RFC 7638 thumbprint for key type ${JSON.stringify(jwk.kty)}`));
	const required: Record<string, string> = {};
	for (const name of members) {
		const value = jwk[name];
		if (typeof value !== "string" || value === "") return Promise.reject(new TypeError(`tokenflight/dpop: the JWK has no ${name}`));
		required[name] = value;
	}
	// JSON.stringify keeps insertion order and adds no whitespace: exactly RFC 7638 §3's form.
	return sha256(JSON.stringify(required));
}
