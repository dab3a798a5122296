import { createHash } from "node:crypto";

export type ProofHeader = { typ: string; alg: string; jwk: Record<string, string> };
export type ProofClaims = { jti: string; htm: string; htu: string; iat: number; ath?: string; nonce?: string };

/**
 * What a server does with a DPoP proof (RFC 9449 §4.3), with WebCrypto and nothing of tokenflight's: checks the header,
 * verifies the ES256 signature with the embedded key, and returns the header, the claims and the key's thumbprint.
 * Throws on anything a server would refuse.
 */
export async function verifyProof(proof: string): Promise<{ header: ProofHeader; claims: ProofClaims; jkt: string }> {
	const parts = proof.split(".");
	if (parts.length !== 3) throw new Error("not a compact JWS");
	const [encodedHeader = "", encodedClaims = "", encodedSignature = ""] = parts;
	const header = JSON.parse(Buffer.from(encodedHeader, "base64url").toString("utf8")) as ProofHeader;
	const claims = JSON.parse(Buffer.from(encodedClaims, "base64url").toString("utf8")) as ProofClaims;
	if (header.typ !== "dpop+jwt") throw new Error(`typ ${header.typ}`);
	if (header.alg !== "ES256") throw new Error(`alg ${header.alg}`);
	if ("d" in header.jwk) throw new Error("the proof carries a private key");
	const key = await crypto.subtle.importKey("jwk", header.jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
	const signature = Buffer.from(encodedSignature, "base64url");
	// JOSE's ES256 signature is r || s, 64 bytes (RFC 7518 §3.4), which is also WebCrypto's form.
	if (signature.length !== 64) throw new Error(`signature of ${signature.length} bytes`);
	const valid = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, new TextEncoder().encode(`${encodedHeader}.${encodedClaims}`));
	if (!valid) throw new Error("bad signature");
	const { crv, kty, x, y } = header.jwk;
	const jkt = createHash("sha256").update(JSON.stringify({ crv, kty, x, y })).digest("base64url");
	return { header, claims, jkt };
}

/** `ath` as a server computes it (RFC 9449 §4.2), with node:crypto. */
export function athOf(accessToken: string): string {
	return createHash("sha256").update(accessToken).digest("base64url");
}
