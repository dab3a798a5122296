// The page of test/browser/dpop.test.ts: a bearer client with DPoP, its key and tokens in IndexedDB, tabs coordinated.
// Bundled by the test with the rollup output (dist/) in place of these source imports.
import { createDPoP } from "../../../src/dpop/index.js";
import { createClient, indexedDbTokenStore, oauthRefresh, type TokenSet } from "../../../src/index.js";

// Counts the key pairs this page generates, to see whether two tabs raced to create the first key.
let generatedKeys = 0;
const generateKey = crypto.subtle.generateKey.bind(crypto.subtle) as (...args: unknown[]) => Promise<unknown>;
(crypto.subtle as unknown as { generateKey: typeof generateKey }).generateKey = (...args) => {
	generatedKeys++;
	return generateKey(...args);
};

const dpop = createDPoP({ name: "dpop-test-key" });
const client = createClient({
	baseUrl: `${location.origin}/api/`,
	auth: {
		type: "bearer",
		store: indexedDbTokenStore("dpop-test-tokens"),
		dpop,
		refresh: oauthRefresh({ tokenEndpoint: `${location.origin}/token`, clientId: "spa", dpop }),
	},
	// Counted, and stalled rather than reloaded: the test wants to see it, and no test here should get there.
	reauthenticate: () => {
		api.reauthentications++;
		return new Promise<void>(() => undefined);
	},
	tabs: { name: "dpop-test" },
});

const api = {
	reauthentications: 0,
	thumbprint: () => dpop.thumbprint(),
	rotateKey: () => dpop.rotateKey(),
	signIn: (tokens: TokenSet) => client.signIn(tokens, "alice"),
	async burst(count: number): Promise<{ ok: number; failed: string[] }> {
		const results = await Promise.allSettled(Array.from({ length: count }, (_, i) => client.get(`me?i=${i}`)));
		return {
			ok: results.filter((result) => result.status === "fulfilled").length,
			failed: results.flatMap((result) => (result.status === "rejected" ? [String((result.reason as Error)?.name ?? result.reason)] : [])),
		};
	},
	status: () => client.session.getSnapshot().status,
	generatedKeys: () => generatedKeys,
	/** The private key as IndexedDB holds it: a CryptoKey that cannot be exported. */
	async storedKey(): Promise<{ type: string; extractable: boolean; algorithm: string; exported: string }> {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open("dpop-test-key");
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const record = await new Promise<{ privateKey: CryptoKey }>((resolve, reject) => {
			const request = db.transaction("keys").objectStore("keys").get("dpop");
			request.onsuccess = () => resolve(request.result as { privateKey: CryptoKey });
			request.onerror = () => reject(request.error);
		});
		db.close();
		const { privateKey } = record;
		const exported = await crypto.subtle.exportKey("jwk", privateKey).then(
			() => "exported",
			(error: Error) => error.name,
		);
		return { type: privateKey.type, extractable: privateKey.extractable, algorithm: (privateKey.algorithm as EcKeyAlgorithm).namedCurve, exported };
	},
};

(window as unknown as { dpopTest: typeof api }).dpopTest = api;
