import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client, type ClientOptions, type RefreshFunction, type TokenflightEvent } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";
import { fakeLocks } from "../helpers/tabs.js";
import { track } from "../helpers/async.js";
import { fakeFetch } from "../helpers/fakeFetch.js";

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

/** A bearer client whose API accepts only `live` access tokens; `events` is everything it emitted. */
function setup(options: { refresh?: RefreshFunction; live?: string[]; extra?: Partial<ClientOptions>; tokens?: { accessToken: string; refreshToken?: string } } = {}) {
	const live = new Set(options.live ?? ["at-2"]);
	const api = fakeFetch((seen) => (live.has((seen.headers.authorization ?? "").replace("Bearer ", "")) ? Response.json({ ok: true }) : new Response("{}", { status: 401 })));
	const store = memoryTokenStore(options.tokens ?? { accessToken: "at-1", refreshToken: "rt-1" });
	const client = createClient({
		baseUrl: "https://app.example/api/",
		auth: { type: "bearer", store, refresh: options.refresh ?? (async () => ({ accessToken: "at-2", refreshToken: "rt-2" })), refreshRetry: { limit: 1, delayMs: 10 }, refreshTimeoutMs: 1_000 },
		tabs: false,
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		...options.extra,
		ky: { fetch: api.fetch, retry: 0, ...options.extra?.ky },
	});
	clients.push(client);
	const events: TokenflightEvent[] = [];
	client.events.subscribe((event) => events.push(event));
	const kinds = () => events.map(({ at: _at, ...rest }) => rest);
	return { client, api, events, kinds, live };
}

describe("every event kind", () => {
	it("refresh.started and refresh.succeeded, with the attempt and how long it took", async () => {
		vi.useFakeTimers();
		const { client, kinds } = setup({ refresh: () => new Promise((resolve) => setTimeout(() => resolve({ accessToken: "at-2", refreshToken: "rt-2" }), 120)) });
		const request = client.get("me");
		await vi.advanceTimersByTimeAsync(200);
		await request;
		expect(kinds()).toEqual([
			{ type: "refresh.started", attempt: 1 },
			{ type: "refresh.succeeded", attempt: 1, durationMs: 120 },
		]);
	});

	it("refresh.failed with reason network, then a second attempt", async () => {
		vi.useFakeTimers();
		const refresh = vi.fn<RefreshFunction>().mockRejectedValueOnce(Object.assign(new Error("Service Unavailable"), { status: 503 })).mockResolvedValue({ accessToken: "at-2", refreshToken: "rt-2" });
		const { client, kinds } = setup({ refresh });
		const request = client.get("me");
		await vi.advanceTimersByTimeAsync(50);
		await request;
		expect(kinds().map((event) => [event.type, "attempt" in event ? event.attempt : undefined, "reason" in event ? event.reason : undefined])).toEqual([
			["refresh.started", 1, undefined],
			["refresh.failed", 1, "network"],
			["refresh.started", 2, undefined],
			["refresh.succeeded", 2, undefined],
		]);
	});

	it("refresh.failed with reason timeout after refreshTimeoutMs, and rejected for a dead refresh token", async () => {
		vi.useFakeTimers();
		const hanging: RefreshFunction = ({ signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
		const timedOut = setup({ refresh: hanging });
		track(timedOut.client.get("me"));
		await vi.advanceTimersByTimeAsync(3_000);
		expect(timedOut.kinds()).toContainEqual({ type: "refresh.failed", attempt: 1, durationMs: 1_000, reason: "timeout" });
		const dead = setup({ refresh: async () => Promise.reject(Object.assign(new Error("invalid_grant"), { status: 400 })) });
		track(dead.client.get("me"));
		await vi.advanceTimersByTimeAsync(10);
		expect(dead.kinds()).toContainEqual({ type: "refresh.failed", attempt: 1, durationMs: 0, reason: "rejected" });
	});

	it("session.ended with the policy's action, requests.stalled while re-authenticating and requests.released with the count and longest wait", async () => {
		vi.useFakeTimers();
		const { client, kinds, live } = setup({
			refresh: async () => null,
			extra: { reauthenticate: () => new Promise((resolve) => setTimeout(() => resolve({ accessToken: "at-9", refreshToken: "rt-9" }), 500)) },
		});
		live.add("at-9");
		const requests = [client.get("a"), client.get("b"), client.get("c")];
		await vi.advanceTimersByTimeAsync(600);
		await Promise.all(requests);
		const seen = kinds().filter((event) => !event.type.startsWith("refresh."));
		expect(seen[0]).toEqual({ type: "session.ended", reason: "refresh-failed", action: "reauthenticate" });
		expect(seen.filter((event) => event.type === "requests.stalled").map((event) => ("count" in event ? event.count : 0))).toEqual([1, 2, 3]);
		expect(seen.at(-1)).toEqual({ type: "requests.released", count: 3, longestWaitMs: 500, outcome: "sent" });
	});

	it("requests.released with outcome failed when the session signs out, and loopGuard.tripped when the budget is spent", async () => {
		vi.useFakeTimers();
		const { client, kinds } = setup({ refresh: async () => null, extra: { reloadGuard: { storage: memoryStorage(), history: null, maxAttempts: 1 }, reauthenticate: () => new Promise((_, reject) => setTimeout(() => reject(new Error("popup closed")), 100)) } });
		track(client.get("a"));
		await vi.advanceTimersByTimeAsync(200);
		expect(kinds()).toContainEqual({ type: "requests.released", count: 1, longestWaitMs: 100, outcome: "failed" });
		await client.signIn({ accessToken: "at-1", refreshToken: "rt-1" });
		track(client.get("b"));
		await vi.advanceTimersByTimeAsync(10);
		expect(kinds().filter((event) => event.type === "session.ended" || event.type === "loopGuard.tripped")).toEqual([
			{ type: "session.ended", reason: "refresh-failed", action: "reauthenticate" },
			{ type: "session.ended", reason: "refresh-failed", action: "signOut" },
			{ type: "loopGuard.tripped", reason: "refresh-failed" },
		]);
	});

	it("dedupe.hit for a request that shared another's response", async () => {
		const { client, kinds } = setup({ tokens: { accessToken: "at-2" } });
		await Promise.all([client.get("me", { dedupe: true }), client.get("me", { dedupe: true })]);
		expect(kinds()).toEqual([{ type: "dedupe.hit" }]);
	});

	it("challenge with its kind", async () => {
		const { client, api, kinds } = setup({ tokens: { accessToken: "at-2" } });
		api.state.route = () => new Response("{}", { status: 403, headers: { "www-authenticate": 'Bearer error="insufficient_scope", scope="docs:write"' } });
		await client.get("docs").catch(() => undefined);
		expect(kinds()).toEqual([{ type: "challenge", kind: "insufficient-scope" }]);
	});

	it("lock.waited in the tab that waited for another tab's refresh, lock.stolen past a frozen holder", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const slow: RefreshFunction = () => new Promise((resolve) => setTimeout(() => resolve({ accessToken: "at-2", refreshToken: "rt-2" }), 300));
		const tabs = { locks: fake.locks, channel: null, visibility: null };
		const shared = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const a = setup({ refresh: slow, extra: { tabs, auth: { type: "bearer", store: shared, refresh: slow } } });
		const b = setup({ refresh: slow, extra: { tabs, auth: { type: "bearer", store: shared, refresh: slow } } });
		const first = a.client.get("me");
		await vi.advanceTimersByTimeAsync(100);
		const second = b.client.get("me");
		await vi.advanceTimersByTimeAsync(1_000);
		await Promise.all([first, second]);
		expect(b.kinds()).toContainEqual({ type: "lock.waited", durationMs: 250 });
		expect(a.kinds().filter((event) => event.type.startsWith("lock."))).toEqual([]);

		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		fake.freezeNextHolder();
		const frozenTabs = { locks: fake.locks, channel: null, visibility: null, name: "frozen" };
		const frozen = setup({ extra: { tabs: frozenTabs, auth: { type: "bearer", store, refresh: async () => ({ accessToken: "at-2", refreshToken: "rt-2" }) } } });
		track(frozen.client.get("me"));
		await vi.advanceTimersByTimeAsync(10);
		const next = setup({ extra: { tabs: frozenTabs, auth: { type: "bearer", store, refresh: async () => ({ accessToken: "at-2", refreshToken: "rt-2" }) } } });
		const after = track(next.client.get("me"));
		await vi.advanceTimersByTimeAsync(6_000);
		expect(next.kinds()).toContainEqual({ type: "lock.stolen", durationMs: 5_000 });
		expect(after.status).toBe("fulfilled");
	});
});
