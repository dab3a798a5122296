import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storagePersistence } from "../../demo/src/storagePersistence.js";
import { createMockAuthServer } from "../../src/msw/index.js";
import type { MockAuthPersistence, MockAuthServer } from "../../src/msw/index.js";

/** A Web Storage in memory, with the key/length iteration storagePersistence needs. */
function webStorage(data = new Map<string, string>()) {
	return {
		data,
		getItem: (key: string) => data.get(key) ?? null,
		setItem: (key: string, value: string) => void data.set(key, value),
		key: (index: number) => [...data.keys()][index] ?? null,
		get length() {
			return data.size;
		},
	};
}

/**
 * What a tab sees of localStorage: its own cache, which other tabs' writes reach later (`catchUp`), while
 * its own writes go through at once. The shared `truth` is what a tab opened now would read.
 */
function laggingView(truth: Map<string, string>) {
	const cache = new Map(truth);
	const view = webStorage(cache);
	return {
		getItem: view.getItem,
		key: view.key,
		get length() {
			return cache.size;
		},
		setItem(key: string, value: string) {
			cache.set(key, value);
			truth.set(key, value);
		},
		catchUp() {
			for (const [key, value] of truth) cache.set(key, value);
		},
	};
}

// Two instances on two origins, so a test chooses which instance answers: as two tabs of one app would, each with its own msw.
const originA = "https://a.example";
const originB = "https://b.example";
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function twoInstances(persistence: MockAuthPersistence = storagePersistence(webStorage())) {
	const a = createMockAuthServer({ origin: originA, persistence });
	const b = createMockAuthServer({ origin: originB, persistence });
	server.use(...a.handlers, ...b.handlers);
	return { a, b, persistence };
}

function refresh(origin: string, refreshToken: string) {
	return fetch(`${origin}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }) });
}

function call(origin: string, route: string, token: string, body: unknown = {}) {
	return fetch(`${origin}/api/${route}`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}

describe("persistence", () => {
	it("makes two instances one backend: a refresh token rotated on A is detected as reused on B", async () => {
		const { a, b } = twoInstances();
		const { refreshToken } = a.login("alice");

		const rotated = await refresh(originA, refreshToken);
		const reuse = await refresh(originB, refreshToken);

		expect(rotated.status).toBe(200);
		expect(reuse.status).toBe(400);
		expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
		expect(b.counters.reuseDetections).toBe(1);
		expect(a.counters.reuseDetections).toBe(1);
		// Reuse ends the family on both: the token A just issued is dead on A too.
		expect((await call(originA, "auth.info", (await rotated.json()).access_token)).status).toBe(401);
	});

	it("adds up the counters of both instances, per route and status", async () => {
		const { a, b } = twoInstances();
		const alice = a.login("alice");
		const rotated = await (await refresh(originB, alice.refreshToken)).json();

		await call(originA, "documents.list", rotated.access_token);
		await call(originB, "documents.list", rotated.access_token);
		await call(originB, "documents.list", "at_forged");

		for (const mock of [a, b]) {
			expect(mock.counters).toMatchObject({ refreshCalls: 1, refreshSuccesses: 1, reuseDetections: 0 });
			expect(mock.counters.requests["documents.list"]).toEqual({ 200: 2, 401: 1 });
			expect(mock.counters.requestsTo("token")).toBe(1);
		}
	});

	it("keeps the highest number of refreshes in flight that any instance saw", async () => {
		const { a, b } = twoInstances();
		a.setLatency("token", 30);
		const tokens = [a.login("alice"), a.login("alice"), a.login("bob")].map((login) => login.refreshToken);

		await Promise.all(tokens.map((token) => refresh(originA, token)));
		await refresh(originB, b.login("bob").refreshToken);

		expect(b.counters.maxConcurrentRefreshes).toBe(3);
		expect(a.counters.maxConcurrentRefreshes).toBe(3);
	});

	it("shares documents, controls and queued failures between the instances", async () => {
		const { a, b } = twoInstances();
		const { accessToken } = a.login("alice");
		b.failNext("documents.list", 503);

		await call(originA, "documents.create", accessToken, { title: "Shared plans" });
		const failed = await call(originA, "documents.list", accessToken);
		const list = await (await call(originB, "documents.list", accessToken)).json();
		b.logoutEverywhere("alice");

		expect(failed.status).toBe(503);
		expect(list.data.map((document: { title: string }) => document.title)).toContain("Shared plans");
		expect((await call(originA, "auth.info", accessToken)).status).toBe(401);
	});

	it("lets a new instance (a reloaded page) adopt the saved backend, and reset clears it for all", async () => {
		const { a, persistence } = twoInstances();
		const { accessToken } = a.login("bob");
		a.setPortalUser("bob");

		const reloaded = createMockAuthServer({ origin: "https://c.example", persistence });
		server.use(...reloaded.handlers);

		expect(reloaded.portalUser).toBe("bob");
		expect((await call("https://c.example", "auth.info", accessToken)).headers.get("x-user-id")).toBe("bob");
		reloaded.reset();
		expect(a.portalUser).toBeNull();
		expect(a.counters.requestsTo("auth.info")).toBe(0);
		expect((await call(originA, "auth.info", accessToken)).status).toBe(401);
	});

	it("ignores a malformed saved state and keeps its own", () => {
		const storage = webStorage();
		storage.setItem("tokenflight:mock-auth:other", JSON.stringify({ version: 2, epoch: 0, sessions: "garbage" }));
		storage.setItem("tokenflight:mock-auth:broken", "{not json");

		const mock: MockAuthServer = createMockAuthServer({ origin: originA, persistence: storagePersistence(storage, { writer: "me" }) });
		mock.login("alice");

		const saved = JSON.parse(storage.getItem("tokenflight:mock-auth:me") ?? "null");
		expect(saved).toMatchObject({ version: 2, sessions: { sessions: [expect.objectContaining({ userId: "alice", alive: true })] } });
	});

	it("loses nothing when an instance that has not seen another's change yet saves its own (tabs see writes late)", async () => {
		const truth = new Map<string, string>();
		const tabA = laggingView(truth);
		const tabB = laggingView(truth);
		const a = createMockAuthServer({ origin: originA, persistence: storagePersistence(tabA, { writer: "a" }) });
		const b = createMockAuthServer({ origin: originB, persistence: storagePersistence(tabB, { writer: "b" }) });
		server.use(...a.handlers, ...b.handlers);
		const { refreshToken } = a.login("alice");
		tabB.catchUp();

		// A rotates; B, not having seen that yet, answers a request and saves.
		const rotated = await (await refresh(originA, refreshToken)).json();
		await call(originB, "documents.list", "at_forged");
		const reloaded = createMockAuthServer({ origin: "https://c.example", persistence: storagePersistence(webStorage(truth)) });
		server.use(...reloaded.handlers);

		expect((await refresh("https://c.example", refreshToken)).status).toBe(400);
		expect(reloaded.counters).toMatchObject({ refreshCalls: 2, refreshSuccesses: 1, reuseDetections: 1 });
		expect(reloaded.counters.requests["documents.list"]).toEqual({ 401: 1 });
		expect(rotated.access_token).toEqual(expect.any(String));
		tabB.catchUp();
		expect(b.counters.reuseDetections).toBe(1);
	});

	it("reset starts a new epoch: every instance forgets the old backend, even one that saves afterwards", async () => {
		const { a, b } = twoInstances();
		const { accessToken } = a.login("alice");
		b.reset();
		a.failNext("auth.info", 500);

		expect((await call(originA, "auth.info", accessToken)).status).toBe(500);
		expect((await call(originB, "auth.info", accessToken)).status).toBe(401);
		expect(a.counters.requests["auth.info"]).toEqual({ 500: 1, 401: 1 });
	});

	it("restores cookie sessions with their CSRF token on a new instance", async () => {
		const persistence = storagePersistence(webStorage());
		const login = createMockAuthServer({ origin: originA, persistence }).login("alice", { cookies: true });
		const reloaded = createMockAuthServer({ origin: originB, persistence });
		server.use(...reloaded.handlers);

		const send = (csrf: string) =>
			fetch(`${originB}/api/documents.create`, { method: "POST", headers: { cookie: `sid=${login.sessionId}`, "x-csrf-token": csrf }, body: '{"title":"x"}' });

		expect((await send(login.csrfToken ?? "")).status).toBe(200);
		expect((await send("csrf_wrong")).status).toBe(403);
	});

	it("keeps instances apart without persistence", async () => {
		const a = createMockAuthServer({ origin: originA });
		const b = createMockAuthServer({ origin: originB });
		server.use(...a.handlers, ...b.handlers);
		const { accessToken } = a.login("alice");

		expect((await call(originB, "auth.info", accessToken)).status).toBe(401);
		expect(a.counters.requestsTo("auth.info")).toBe(0);
	});
});
