import type { DPoPBinding } from "../auth/bearer.js";
import { accessTokenHash, base64url, base64urlJson, jwkThumbprint, utf8, type PublicJwk } from "./jose.js";
import { indexedDbKeyStore, memoryKeyStore, type KeyRecord } from "./keyStore.js";

export type { DPoPBinding } from "../auth/bearer.js";
export { accessTokenHash, jwkThumbprint } from "./jose.js";
export type { PublicJwk } from "./jose.js";

export type DPoPOptions = {
	/**
	 * Names the key: one per app name, shared by every tab of the app. With `storage: "indexedDB"` it is the IndexedDB
	 * database (and BroadcastChannel) name. @default "tokenflight-dpop"
	 */
	name?: string;
	/**
	 * `"indexedDB"`: one key for all tabs, kept across reloads (where IndexedDB is missing or refuses to open, it
	 * degrades to memory for this page). `"memory"`: this page only, a new key on every load (Node, tests).
	 * @default "indexedDB"
	 */
	storage?: "indexedDB" | "memory";
	/**
	 * The server's clock (epoch ms) for proofs made outside the client's requests, i.e. `oauthRefresh`'s: a proof's
	 * `iat` must be within the server's window (oidc-provider: 5 minutes, unless the proof carries its nonce).
	 * @default Date.now corrected by the `Date` headers of the responses this binding observes
	 */
	now?: () => number;
};

/** A DPoP binding for `auth.dpop` and `oauthRefresh({ dpop })`, with its key. */
export type DPoP = DPoPBinding & {
	/** The server's clock as this binding knows it (epoch ms): `options.now`, or Date.now corrected by observed `Date` headers. */
	now(): number;
	/** The key's RFC 7638 thumbprint (`jkt`): what the server binds the tokens to, and `dpop_jkt` in an authorization request. */
	thumbprint(): Promise<string>;
	/** The public key, as it goes into every proof's header. */
	publicJwk(): Promise<PublicJwk>;
	/**
	 * Replaces the key, for every tab of the app, and resolves its new thumbprint. Tokens bound to the old key stop
	 * working (the refresh token too): rotate between sessions (after `logout()`, before signing in again), never
	 * during one. Nothing rotates the key but this call.
	 */
	rotateKey(): Promise<string>;
	/** The latest `DPoP-Nonce` the server of this URL's origin sent, if any. */
	nonce(url: string | URL): string | undefined;
	/** Stops listening for other tabs' key rotations. */
	close(): void;
};

// RFC 9449 §8: a nonce is 1*NQCHAR.
const nonceSyntax = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
// Skews below this are noise: the Date header has a one-second resolution.
const skewFloorMs = 2_000;

/**
 * Sender-constrained tokens (RFC 9449). Proofs are ES256 JWTs signed with a non-extractable WebCrypto key kept in
 * IndexedDB, so a stolen access or refresh token is useless without this origin's key.
 *
 * ```ts
 * const dpop = createDPoP();
 * createClient({ auth: { type: "bearer", store, dpop, refresh: oauthRefresh({ tokenEndpoint, clientId, dpop }) } });
 * ```
 */
export function createDPoP(options: DPoPOptions = {}): DPoP {
	const keys = options.storage === "memory" ? memoryKeyStore() : indexedDbKeyStore(options.name ?? "tokenflight-dpop");
	const nonces = new Map<string, string>();
	const headers = new WeakMap<KeyRecord, string>();
	let skewMs = 0;
	// The access token of the last proof and its hash: a burst of requests with one token hashes it once.
	let lastAth: { accessToken: string; ath: Promise<string> } | undefined;

	const now = options.now ?? (() => Date.now() + skewMs);

	function encodedHeader(key: KeyRecord): string {
		let header = headers.get(key);
		if (header === undefined) {
			header = base64urlJson({ typ: "dpop+jwt", alg: "ES256", jwk: key.jwk });
			headers.set(key, header);
		}
		return header;
	}

	function ath(accessToken: string): Promise<string> {
		if (lastAth?.accessToken !== accessToken) lastAth = { accessToken, ath: accessTokenHash(accessToken) };
		return lastAth.ath;
	}

	return {
		async proof({ method, url, accessToken, now: at }) {
			const key = await keys.load();
			const target = new URL(url);
			const nonce = nonces.get(target.origin);
			// RFC 9449 §4.2: htu is the target URI without query and fragment.
			target.search = "";
			target.hash = "";
			const claims: Record<string, string | number> = {
				jti: crypto.randomUUID(),
				htm: method,
				htu: target.href,
				iat: Math.floor((Number.isFinite(at) ? at : now()) / 1000),
			};
			if (accessToken !== undefined) claims["ath"] = await ath(accessToken);
			if (nonce !== undefined) claims["nonce"] = nonce;
			const input = `${encodedHeader(key)}.${base64urlJson(claims)}`;
			// WebCrypto's ECDSA signature is already the JOSE form (RFC 7518 §3.4): r and s, 32 bytes each.
			const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, utf8(input));
			return `${input}.${base64url(signature)}`;
		},
		observe(url, response) {
			const nonce = response.headers.get("dpop-nonce");
			if (nonce !== null && nonceSyntax.test(nonce)) {
				try {
					nonces.set(new URL(url).origin, nonce);
				} catch {
					// Not a URL: nothing to key the nonce by.
				}
			}
			const date = response.headers.get("date");
			const serverNow = date === null ? NaN : Date.parse(date);
			if (Number.isFinite(serverNow)) {
				const skew = serverNow - Date.now();
				skewMs = Math.abs(skew) < skewFloorMs ? 0 : skew;
			}
		},
		now,
		thumbprint: async () => jwkThumbprint((await keys.load()).jwk),
		publicJwk: async () => ({ ...(await keys.load()).jwk }),
		rotateKey: async () => jwkThumbprint((await keys.rotate()).jwk),
		nonce(url) {
			try {
				return nonces.get(new URL(url).origin);
			} catch {
				return undefined;
			}
		},
		close: () => keys.close(),
	};
}
