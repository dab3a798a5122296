import { describe, expect, it, vi } from "vitest";
import { accessTokenHash, createDPoP, jwkThumbprint } from "../../src/dpop/index.js";
import { athOf, verifyProof } from "../helpers/verifyProof.js";

describe("spec vectors", () => {
	it("should compute RFC 7638 §3.1's JWK thumbprint", async () => {
		const jwk = {
			kty: "RSA",
			n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
			e: "AQAB",
			alg: "RS256",
			kid: "2011-04-29",
		};
		expect(await jwkThumbprint(jwk)).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	});

	it("should compute RFC 9449 §7.1's ath example", async () => {
		expect(await accessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")).toBe("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
	});

	it("should refuse a key without its required members", async () => {
		await expect(jwkThumbprint({ kty: "EC", crv: "P-256", x: "a" })).rejects.toThrow(/no y/);
		await expect(jwkThumbprint({ kty: "nope" })).rejects.toThrow(/key type/);
	});
});

describe("createDPoP: proofs", () => {
	const now = Date.UTC(2026, 0, 1, 12, 0, 0, 750);

	it("should sign an ES256 proof that WebCrypto verifies, bound to the method, the URL without query, the time and the token", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const proof = await dpop.proof({ method: "GET", url: "https://api.example/v1/documents?limit=10#top", accessToken: "at-1", now });
		const { header, claims, jkt } = await verifyProof(proof);

		expect(header).toEqual({ typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC", crv: "P-256", x: expect.any(String), y: expect.any(String) } });
		expect(Object.keys(header.jwk).sort()).toEqual(["crv", "kty", "x", "y"]);
		expect(claims).toEqual({ jti: expect.any(String), htm: "GET", htu: "https://api.example/v1/documents", iat: Math.floor(now / 1000), ath: athOf("at-1") });
		expect(jkt).toBe(await dpop.thumbprint());
		expect(await dpop.publicJwk()).toEqual(header.jwk);
	});

	it("should send no ath without an access token, and the method as sent", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const { claims } = await verifyProof(await dpop.proof({ method: "POST", url: "https://idp.example/token", now }));
		expect(claims).not.toHaveProperty("ath");
		expect(claims).not.toHaveProperty("nonce");
		expect(claims).toMatchObject({ htm: "POST", htu: "https://idp.example/token" });
	});

	it("should give every proof its own jti, with one key", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const proofs = await Promise.all(Array.from({ length: 200 }, () => dpop.proof({ method: "GET", url: "https://api.example/me", accessToken: "at", now })));
		const verified = await Promise.all(proofs.map(verifyProof));
		expect(new Set(verified.map(({ claims }) => claims.jti)).size).toBe(200);
		expect(new Set(verified.map(({ jkt }) => jkt)).size).toBe(1);
	});

	it("should make the key non-extractable, once, and rotate it only when asked", async () => {
		const generateKey = vi.spyOn(crypto.subtle, "generateKey");
		const dpop = createDPoP({ storage: "memory" });
		const first = await dpop.thumbprint();
		await dpop.proof({ method: "GET", url: "https://api.example/me", now });
		expect(await dpop.thumbprint()).toBe(first);
		expect(generateKey).toHaveBeenCalledTimes(1);
		expect(generateKey).toHaveBeenCalledWith({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
		const pair = (await generateKey.mock.results[0]!.value) as CryptoKeyPair;
		expect(pair.privateKey.extractable).toBe(false);
		await expect(crypto.subtle.exportKey("jwk", pair.privateKey)).rejects.toThrow();

		const rotated = await dpop.rotateKey();
		expect(rotated).not.toBe(first);
		expect(generateKey).toHaveBeenCalledTimes(2);
		const { jkt } = await verifyProof(await dpop.proof({ method: "GET", url: "https://api.example/me", now }));
		expect(jkt).toBe(rotated);
	});

	it("should fall back to memory where IndexedDB is missing, and keep the key for the page", async () => {
		expect(globalThis.indexedDB).toBeUndefined();
		const dpop = createDPoP();
		const first = await dpop.thumbprint();
		const { jkt } = await verifyProof(await dpop.proof({ method: "GET", url: "https://api.example/me", now }));
		expect(jkt).toBe(first);
		dpop.close();
	});

	it("should take iat from the clock it is given, and learn the server's clock from Date headers", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const serverAhead = 90_000;
		expect(Math.abs(dpop.now() - Date.now())).toBeLessThan(1_000);
		dpop.observe("https://idp.example/token", new Response(null, { headers: { date: new Date(Date.now() + serverAhead).toUTCString() } }));
		expect(Math.abs(dpop.now() - (Date.now() + serverAhead))).toBeLessThan(1_500);
		// One second off is the Date header's resolution, not a skew.
		dpop.observe("https://idp.example/token", new Response(null, { headers: { date: new Date().toUTCString() } }));
		expect(Math.abs(dpop.now() - Date.now())).toBeLessThan(1_000);

		const fixed = createDPoP({ storage: "memory", now: () => now });
		expect(fixed.now()).toBe(now);
	});
});

describe("createDPoP: nonces", () => {
	const now = Date.now();
	const nonceOf = async (dpop: ReturnType<typeof createDPoP>, url: string) => (await verifyProof(await dpop.proof({ method: "GET", url, now }))).claims.nonce;

	it("should keep the latest nonce per origin, from every response that carries one", async () => {
		const dpop = createDPoP({ storage: "memory" });
		dpop.observe("https://api.example/a", new Response(null, { status: 401, headers: { "dpop-nonce": "n1" } }));
		expect(await nonceOf(dpop, "https://api.example/b?x=1")).toBe("n1");
		expect(await nonceOf(dpop, "https://other.example/b")).toBeUndefined();
		expect(await nonceOf(dpop, "https://api.example:8443/b")).toBeUndefined();

		dpop.observe("https://api.example/c", new Response("{}", { status: 200, headers: { "dpop-nonce": "n2" } }));
		expect(await nonceOf(dpop, "https://api.example/a")).toBe("n2");
		// A response without the header keeps the nonce; one with a malformed value (RFC 9449 §8: 1*NQCHAR) is ignored.
		dpop.observe("https://api.example/c", new Response(null, { status: 200 }));
		dpop.observe("https://api.example/c", new Response(null, { status: 200, headers: { "dpop-nonce": 'a"b' } }));
		expect(dpop.nonce("https://api.example/")).toBe("n2");

		dpop.observe("https://other.example/x", new Response(null, { headers: { "dpop-nonce": "o1" } }));
		expect(await nonceOf(dpop, "https://other.example/y")).toBe("o1");
		expect(await nonceOf(dpop, "https://api.example/y")).toBe("n2");
	});
});
