import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDPoP } from "../../src/dpop/index.js";
import { RefreshError, classifyRefreshError, createClient, memoryTokenStore, oauthRefresh, type Client, type RefreshFunction } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";
import { startDPoPServer, type DPoPServer } from "../fixtures/dpop/dpopServer.js";
import { verifyProof } from "../helpers/verifyProof.js";

/**
 * oauthRefresh with DPoP. The rule under test: the refresh token goes to the token endpoint at most twice per refresh,
 * and twice only when the first answer was RFC 9449 §8's `use_dpop_nonce`, which the server sends without processing
 * the grant.
 */
let server: DPoPServer;
const clients: Client[] = [];
const signal = new AbortController().signal;

beforeAll(async () => {
	server = await startDPoPServer();
});
afterAll(() => server.close());
beforeEach(() => {
	server.reset();
	server.tokenFaults.length = 0;
});
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

const tokenHits = () => server.hits.filter((hit) => hit.path === "/token");

/** A fetch that records the DPoP proof of each request it passes on. */
function recordingFetch(answer?: (request: Request, index: number) => Response | undefined) {
	const proofs: string[] = [];
	const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
		const request = new Request(input, init);
		proofs.push(request.headers.get("dpop") ?? "");
		return answer?.(request, proofs.length - 1) ?? fetch(request);
	};
	return { proofs, fetch: fetchFn as typeof fetch };
}

describe("oauthRefresh with dpop", () => {
	it("should send a proof for the token endpoint: POST, its URL, no ath", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const { refreshToken } = server.signIn(await dpop.thumbprint());
		dpop.observe(server.origin, new Response(null, { headers: { "dpop-nonce": server.nonce } }));
		const recorded = recordingFetch();

		const tokens = await oauthRefresh({ tokenEndpoint: `${server.tokenEndpoint}?tenant=a`, clientId: "spa", dpop, fetch: recorded.fetch })({ refreshToken, signal });

		expect(tokens?.accessToken).toMatch(/^at-/);
		expect(recorded.proofs).toHaveLength(1);
		const { claims, jkt } = await verifyProof(recorded.proofs[0]!);
		expect(claims).toEqual({ jti: expect.any(String), htm: "POST", htu: server.tokenEndpoint, iat: expect.any(Number), nonce: server.nonce });
		expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(5);
		expect(jkt).toBe(await dpop.thumbprint());
	});

	it("should resend the grant once with the nonce after use_dpop_nonce, as one refresh", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const tokens = server.signIn(await dpop.thumbprint());
		const refresh = vi.fn<RefreshFunction>(oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop }));
		const client = createClient({
			baseUrl: server.apiBaseUrl,
			auth: { type: "bearer", store: memoryTokenStore(tokens), refresh, dpop },
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
		});
		clients.push(client);
		server.expire(tokens.accessToken);
		// The nonce the API handed out is not the token endpoint's (a server whose nonces differ per endpoint).
		server.tokenFaults.push("use_dpop_nonce");

		await expect(client.get("me")).resolves.toEqual({ ok: true, path: "/api/me" });

		expect(refresh).toHaveBeenCalledTimes(1);
		expect(tokenHits().map(({ status, error, refreshToken }) => ({ status, error, sameToken: refreshToken === tokens.refreshToken }))).toEqual([
			{ status: 400, error: "use_dpop_nonce", sameToken: true },
			{ status: 200, error: undefined, sameToken: true },
		]);
		expect(tokenHits()[1]?.nonce).toBe(server.nonce);
	});

	it("should answer a fresh binding's first refresh, which has no nonce yet, with one resend", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const { refreshToken } = server.signIn(await dpop.thumbprint());
		const recorded = recordingFetch();

		const tokens = await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop, fetch: recorded.fetch })({ refreshToken, signal });

		expect(tokens?.refreshToken).toMatch(/^rt-/);
		expect(tokenHits().map(({ status, error, nonce }) => ({ status, error, nonce }))).toEqual([
			{ status: 400, error: "use_dpop_nonce", nonce: undefined },
			{ status: 200, error: undefined, nonce: server.nonce },
		]);
		const [first, second] = await Promise.all(recorded.proofs.map(verifyProof));
		expect(first?.claims.jti).not.toBe(second?.claims.jti);
		expect(tokenHits().filter((hit) => hit.refreshToken === refreshToken)).toHaveLength(2);
	});

	it("should not resend after a second use_dpop_nonce: the refresh token went out twice, both refused unprocessed", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const { refreshToken } = server.signIn(await dpop.thumbprint());
		server.tokenFaults.push("use_dpop_nonce", "use_dpop_nonce");

		const error = await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop })({ refreshToken, signal }).catch((caught: unknown) => caught);

		expect(classifyRefreshError(error)).toBe("rejected");
		expect((error as { data?: unknown }).data).toEqual({ error: "use_dpop_nonce", error_description: "Authorization server requires nonce in DPoP proof" });
		expect(tokenHits().map(({ status, error: code }) => [status, code])).toEqual([
			[400, "use_dpop_nonce"],
			[400, "use_dpop_nonce"],
		]);
	});

	it.each([
		["invalid_grant", 400, { error: "invalid_grant" }, { "dpop-nonce": "n" }],
		["invalid_dpop_proof", 400, { error: "invalid_dpop_proof" }, { "dpop-nonce": "n" }],
		["a 503", 503, { error: "use_dpop_nonce" }, { "dpop-nonce": "n" }],
		["use_dpop_nonce without a DPoP-Nonce header", 400, { error: "use_dpop_nonce" }, {}],
	])("should send the refresh token once when the answer is %s", async (_case, status, body, headers) => {
		const dpop = createDPoP({ storage: "memory" });
		const recorded = recordingFetch(() => Response.json(body, { status, headers }));

		const error = await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop, fetch: recorded.fetch })({ refreshToken: "rt", signal }).catch((caught: unknown) => caught);

		expect(classifyRefreshError(error)).toBe(status === 503 ? "network" : "rejected");
		expect(recorded.proofs).toHaveLength(1);
	});

	it("should send the refresh token once when no answer comes", async () => {
		const dpop = createDPoP({ storage: "memory" });
		let calls = 0;
		const failing = (async () => {
			calls++;
			throw new TypeError("fetch failed");
		}) as typeof fetch;
		const error = await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop, fetch: failing })({ refreshToken: "rt", signal }).catch((caught: unknown) => caught);
		expect(classifyRefreshError(error)).toBe("network");
		expect(calls).toBe(1);
	});

	it("should never resend without dpop", async () => {
		const recorded = recordingFetch(() => Response.json({ error: "use_dpop_nonce" }, { status: 400, headers: { "dpop-nonce": "n" } }));
		await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", fetch: recorded.fetch })({ refreshToken: "rt", signal }).catch(() => undefined);
		expect(recorded.proofs).toEqual([""]);
	});

	it("should refuse a token that the server did not bind (token_type Bearer)", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const recorded = recordingFetch(() => Response.json({ access_token: "a", token_type: "Bearer", expires_in: 60 }));
		const error = await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop, fetch: recorded.fetch })({ refreshToken: "rt", signal }).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RefreshError);
		expect((error as Error).message).toBe('Token response has token_type "Bearer", expected "DPoP"');
	});

	it("should date the proofs by the server's clock: the binding's now(), learned from the token endpoint's Date header", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const serverAheadMs = 10 * 60_000;
		const serverDate = () => new Date(Date.now() + serverAheadMs).toUTCString();
		const recorded = recordingFetch((_request, index) =>
			index === 0
				? Response.json({ error: "use_dpop_nonce" }, { status: 400, headers: { "dpop-nonce": "n1", date: serverDate() } })
				: Response.json({ access_token: "a", token_type: "DPoP" }, { headers: { date: serverDate() } }),
		);

		await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop, fetch: recorded.fetch })({ refreshToken: "rt", signal });

		const [first, second] = await Promise.all(recorded.proofs.map(verifyProof));
		expect(Math.abs(first!.claims.iat - Date.now() / 1000)).toBeLessThan(5);
		expect(Math.abs(second!.claims.iat - (Date.now() + serverAheadMs) / 1000)).toBeLessThan(5);
		expect(second!.claims.nonce).toBe("n1");

		// An explicit clock wins.
		const fixed = createDPoP({ storage: "memory", now: () => 1_700_000_000_000 });
		const pinned = recordingFetch(() => Response.json({ access_token: "a", token_type: "DPoP" }));
		await oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop: fixed, fetch: pinned.fetch })({ refreshToken: "rt", signal });
		expect((await verifyProof(pinned.proofs[0]!)).claims.iat).toBe(1_700_000_000);
	});
});
