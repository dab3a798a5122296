// One refresh per credential across tabs, with the README's defaults, on a slow network; and a
// disposed client that keeps competing for the refresh lock.
import { describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type RefreshFunction } from "../../src/index.js";
import { disposedAfterEach } from "../helpers/async.js";
import { fakeLocks } from "../helpers/tabs.js";
import { fakeFetch } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

const baseUrl = "https://app.example/api/";
const clients = disposedAfterEach();

/** A token endpoint that never answers (a black-holed connection) but honours the abort signal; records concurrency. */
function hangingRefresh() {
	let inFlight = 0;
	const log = { maxInFlight: 0, tokensPresented: [] as (string | undefined)[], concurrentTokens: [] as string[][] };
	const live = new Map<number, string | undefined>();
	let id = 0;
	const refresh = vi.fn<RefreshFunction>(({ refreshToken, signal }) => {
		const me = ++id;
		inFlight++;
		live.set(me, refreshToken);
		log.tokensPresented.push(refreshToken);
		log.maxInFlight = Math.max(log.maxInFlight, inFlight);
		if (inFlight > 1) log.concurrentTokens.push([...live.values()].map(String));
		return new Promise((_, reject) => {
			signal.addEventListener("abort", () => {
				inFlight--;
				live.delete(me);
				reject(signal.reason);
			});
		});
	});
	return { refresh, log };
}

function tab(locks: ReturnType<typeof fakeLocks>["locks"], store: ReturnType<typeof memoryTokenStore>, refresh: RefreshFunction) {
	const api = fakeFetch(() => new Response("{}", { status: 401 }));
	const client = createClient({
		baseUrl,
		// The README's defaults: refreshTimeoutMs 10 s, refreshRetry { limit: 2, delayMs: 300 }, lockTimeoutMs 15 s.
		auth: { type: "bearer", store, refresh },
		tabs: { locks, channel: null, visibility: null },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		ky: { fetch: api.fetch, retry: 0 },
	});
	clients.push(client);
	return client;
}

describe("the refresh lock with the default bounds", () => {
	// A live tab holds the lock for its whole refresh: up to 3 attempts × refreshTimeoutMs (10 s) + backoff (0.3 + 0.6 s)
	// = 30.9 s with the defaults. A waiting tab steals the lock after lockTimeoutMs = 15 s (webLock.ts), which is meant
	// for a *frozen* holder, and presents the same refresh token while the holder's second attempt is still in flight.
	// README invariant: "at most one refresh in flight per credential, across tabs"; with rotation + reuse detection
	// the two presentations of rt-1 revoke the family.
	it("no second tab presents the same refresh token while a tab's refresh is still retrying: one refresh in flight", async () => {
		vi.useFakeTimers();
		const { locks } = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { refresh, log } = hangingRefresh();
		const a = tab(locks, store, refresh);
		const b = tab(locks, store, refresh);

		void a.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(100);
		void b.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(35_000);

		expect(log.concurrentTokens).toEqual([]);
		expect(log.maxInFlight).toBe(1);
	});
});

describe("a disposed client waiting for the refresh lock", () => {
	// README: dispose() leaves "no timer". webLockRunner's lockTimeoutMs timer used not to be tied to dispose: once it ran
	// out, a disposed client stole the lock from the tab that held it (another tab's live refresh). The refresher now
	// hands the runner its dispose signal. Advanced past the default lockTimeoutMs (65 s).
	it("neither steals another tab's refresh lock nor calls refresh after dispose(), and leaves no timer", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		// Another tab is mid-refresh and holds the lock.
		let releaseOther!: () => void;
		void fake.locks.request("tokenflight:refresh:tokenflight", {}, () => new Promise<void>((resolve) => (releaseOther = resolve)));
		const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: "at-2", refreshToken: "rt-2" }));
		const disposed = tab(fake.locks, store, refresh);

		void disposed.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(1_000);
		disposed.dispose();
		const timersAfterDispose = vi.getTimerCount();
		await vi.advanceTimersByTimeAsync(70_000);

		expect({ timersAfterDispose, steals: fake.steals, refreshCalls: refresh.mock.calls.length }).toEqual({ timersAfterDispose: 0, steals: 0, refreshCalls: 0 });
		releaseOther();
	});
});
