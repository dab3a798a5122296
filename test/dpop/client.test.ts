import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDPoP } from "../../src/dpop/index.js";
import { UseDPoPNonceError, createClient, memoryTokenStore, oauthRefresh, type Client, type Reauthenticate, type RefreshFunction } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";
import { startDPoPServer, type DPoPServer } from "../fixtures/dpop/dpopServer.js";

/**
 * The core's DPoP hook with `createDPoP()` against a server that checks every proof: nonces learned per origin and
 * from every answer, a `use_dpop_nonce` challenge answered by one retry and never by a refresh.
 */
let server: DPoPServer;
const clients: Client[] = [];

beforeAll(async () => {
	server = await startDPoPServer({ latencyMs: 5 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(() => {
	clients.splice(0).forEach((client) => client.dispose());
	server.challengeEveryRequest = false;
});

async function dpopClient() {
	const dpop = createDPoP({ storage: "memory" });
	const tokens = server.signIn(await dpop.thumbprint());
	const store = memoryTokenStore(tokens);
	const refresh = vi.fn<RefreshFunction>(oauthRefresh({ tokenEndpoint: server.tokenEndpoint, clientId: "spa", dpop }));
	const reauthenticate = vi.fn<Reauthenticate>(() => undefined);
	const client = createClient({
		baseUrl: server.apiBaseUrl,
		auth: { type: "bearer", store, refresh, dpop },
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0 },
	});
	clients.push(client);
	return { client, dpop, store, refresh, reauthenticate, tokens };
}

const api = () => server.hits.filter((hit) => hit.path.startsWith("/api/"));
const token = () => server.hits.filter((hit) => hit.path === "/token");
const tally = (hits: { status: number; error: string | undefined }[]) =>
	hits.reduce<Record<string, number>>((counts, hit) => {
		const key = hit.error ? `${hit.status} ${hit.error}` : String(hit.status);
		counts[key] = (counts[key] ?? 0) + 1;
		return counts;
	}, {});

describe("createDPoP in the client", () => {
	it("should answer a resource server's use_dpop_nonce with one retry carrying the nonce, and no refresh", async () => {
		const { client, dpop, refresh, reauthenticate } = await dpopClient();

		await expect(client.get("me")).resolves.toEqual({ ok: true, path: "/api/me" });

		expect(api().map(({ status, error, nonce }) => ({ status, error, nonce }))).toEqual([
			{ status: 401, error: "use_dpop_nonce", nonce: undefined },
			{ status: 200, error: undefined, nonce: server.nonce },
		]);
		expect(dpop.nonce(server.origin)).toBe(server.nonce);
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");

		// Known from now on: the next request carries it at once.
		server.reset();
		await client.get("me");
		expect(tally(api())).toEqual({ 200: 1 });
	});

	it("should retry each of 100 concurrent nonce challenges once, with no refresh storm", async () => {
		const { client, refresh, reauthenticate } = await dpopClient();

		const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => client.get(`items/${i}`)));

		expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(100);
		expect(tally(api())).toEqual({ "401 use_dpop_nonce": 100, 200: 100 });
		// Each request path was sent exactly twice: once challenged, once with the nonce.
		const perPath = new Map<string, string[]>();
		for (const hit of api()) perPath.set(hit.path, [...(perPath.get(hit.path) ?? []), hit.error ?? "ok"]);
		expect([...perPath.values()].every((outcomes) => outcomes.join() === "use_dpop_nonce,ok")).toBe(true);
		expect(refresh).not.toHaveBeenCalled();
		expect(token()).toHaveLength(0);
		expect(reauthenticate).not.toHaveBeenCalled();

		// The server moves to a new nonce: the next burst is challenged again, and again retried once each.
		server.reset();
		server.rotateNonce();
		const again = await Promise.allSettled(Array.from({ length: 50 }, () => client.get("me")));
		expect(again.filter((result) => result.status === "fulfilled")).toHaveLength(50);
		expect(tally(api())).toEqual({ "401 use_dpop_nonce": 50, 200: 50 });
		expect(refresh).not.toHaveBeenCalled();
	});

	it("should take a new nonce from a successful answer without a challenge", async () => {
		const rotating = await startDPoPServer({ rotateNonceOnSuccess: true });
		try {
			const dpop = createDPoP({ storage: "memory" });
			const client = createClient({
				baseUrl: rotating.apiBaseUrl,
				auth: { type: "bearer", store: memoryTokenStore(rotating.signIn(await dpop.thumbprint())), dpop },
				reloadGuard: { storage: memoryStorage(), history: null },
				tabs: false,
			});
			clients.push(client);
			for (let i = 0; i < 5; i++) await client.get("me");
			// Only the first request lacked a nonce; every later one used the nonce the previous answer handed out.
			expect(tally(rotating.hits)).toEqual({ "401 use_dpop_nonce": 1, 200: 5 });
			expect(dpop.nonce(rotating.origin)).toBe(rotating.nonce);
		} finally {
			await rotating.close();
		}
	});

	it("should retry a nonce challenge only once, and fail that request alone", async () => {
		const { client, refresh, reauthenticate } = await dpopClient();
		server.challengeEveryRequest = true;

		const error = await client.get("me").catch((caught: unknown) => caught);

		expect(error).toBeInstanceOf(UseDPoPNonceError);
		expect(tally(api())).toEqual({ "401 use_dpop_nonce": 2 });
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toMatch(/reauthenticating|signedOut/);
	});

	it("should refresh once for an expired token behind a nonce challenge, with a proof the token endpoint accepts", async () => {
		const { client, refresh, store, tokens } = await dpopClient();
		server.expire(tokens.accessToken);

		const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.get("me")));

		expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(50);
		expect(refresh).toHaveBeenCalledTimes(1);
		// The nonce came with the resource server's challenge (same origin), so the token endpoint took the first proof.
		expect(tally(token())).toEqual({ 200: 1 });
		expect(token()[0]?.refreshToken).toBe(tokens.refreshToken);
		expect((await store.get())?.accessToken).not.toBe(tokens.accessToken);
		const counts = tally(api());
		expect(counts["200"]).toBe(50);
		expect(counts["401 invalid_dpop_proof"]).toBeUndefined();
	});

	// A DPoP request is followed by hand: each redirect hop is signed for the URL it goes to (issue 18, item 5).
	it("should sign each redirect hop for the URL it goes to", async () => {
		const dpop = createDPoP({ storage: "memory" });
		const client = createClient({
			baseUrl: server.apiBaseUrl,
			auth: { type: "bearer", store: memoryTokenStore(server.signIn(await dpop.thumbprint())), dpop },
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
			// Without a refresh, a refused hop signs out at once instead of stalling in a re-authentication.
			onSessionEnded: "signOut",
		});
		clients.push(client);
		await client.get("me");
		server.reset();

		const result = await client.get("moved").catch((error: unknown) => error);

		expect(api().map(({ path, status, htu }) => ({ path, status, htu }))).toEqual([
			{ path: "/api/moved", status: 307, htu: `${server.origin}/api/moved` },
			{ path: "/api/me", status: 200, htu: `${server.origin}/api/me` },
		]);
		expect(result).toEqual({ ok: true, path: "/api/me" });
	});
});
