// A refresh call that answers after refreshTimeoutMs (the late-refresh wait), across tabs, sessions and dispose(); and
// the round cap next to it. Each test failed on the code before its fix; the it.fails below is left.
import { describe, expect, it, vi } from "vitest";
import { type Client, type ClientOptions, createClient, memoryTokenStore, RefreshError, type RefreshFunction, type TokenSet, type TokenStore } from "../../src/index.js";
import type { LockManagerLike } from "../../src/tabs/webLock.js";
import { fakeLocks } from "../helpers/tabs.js";
import { disposedAfterEach, settledWithin, track } from "../helpers/async.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";
import { bearerTab, signalIgnoringRefresh } from "../helpers/refresh.js";
import { memoryStorage } from "../helpers/storage.js";

const baseUrl = "https://app.example/api/";
const clients = disposedAfterEach();


function tab(locks: LockManagerLike | null, store: TokenStore, refresh: RefreshFunction, extra: Partial<ClientOptions> = {}) {
	return bearerTab(clients, { locks, store, refresh, extra });
}

describe("cross-tab: the lock is not let go while the timed-out call may still answer", () => {
	it("tab B does not present rt-1 while tab A's timed-out call with rt-1 is still pending", async () => {
		vi.useFakeTimers();
		const { locks } = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { refresh, events } = signalIgnoringRefresh();
		const a = tab(locks, store, refresh).client;
		const b = tab(locks, store, refresh).client;

		const ra = track(a.get("me"));
		await vi.advanceTimersByTimeAsync(25_000); // A timed out at 10 s, waited until 20 s, gave up and let go of the lock
		expect(ra.status).toBe("rejected");
		void b.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(100);

		expect(events).toEqual(["call 1 (rt-1)"]);
	});
});

describe("refreshToken undefined (HttpOnly cookie refresh): an older session's hung call does not block the next session", () => {
	it("after logout() + signIn(bob), bob's refresh is attempted instead of failing on alice's unsettled call", async () => {
		vi.useFakeTimers();
		const store = memoryTokenStore({ accessToken: "at-1" });
		const { refresh, events } = signalIgnoringRefresh();
		const { client } = tab(null, store, refresh);

		const first = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(25_000);
		expect(first.error).toBeInstanceOf(RefreshError);

		await client.logout();
		await client.signIn({ accessToken: "at-1" /* bob's, rejected at first: 401 */ }, "bob");
		const second = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(3_600_000); // an hour later
		expect(events).toEqual(["call 1 (undefined)", "call 2 (undefined)"]);
	});
});

describe("dispose() during the late wait, with tabs (settleMs 50)", () => {
	it("no timer is left once the late rotation is stored after dispose()", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { refresh, calls } = signalIgnoringRefresh();
		const { client } = tab(fake.locks, store, refresh);
		void client.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(12_000); // timed out at 10 s, waiting for the late answer
		client.dispose();
		await vi.advanceTimersByTimeAsync(0);
		calls[0]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" });
		await vi.advanceTimersByTimeAsync(0);
		await vi.advanceTimersByTimeAsync(0);
		expect(store.get()).toEqual({ accessToken: "at-2", refreshToken: "rt-2" });
		expect(vi.getTimerCount()).toBe(0);
	});
});

describe("a late success being stored while the next flight reads the store", () => {
	it.each(["reauthenticate", "signOut"] as const)("a late success landing while the next flight reads the store: the next flight does not declare rt-1 dead (onSessionEnded %s)", async (policy) => {
		vi.useFakeTimers();
		const calls: ((t: TokenSet) => void)[] = [];
		const presented: (string | undefined)[] = [];
		const refresh = vi.fn<RefreshFunction>(({ refreshToken }) => {
			presented.push(refreshToken);
			return new Promise<TokenSet>((resolve) => calls.push(resolve));
		});
		const inner = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		let gets = 0;
		let armAt = -1;
		// A store read that returns what it read a moment before a write lands (IndexedDB, or any async store).
		const store: TokenStore = {
			async get() {
				const value = inner.get();
				if (++gets === armAt) {
					// The timed-out call answers while the next flight's refresher reads the store (its readSettled).
					calls[0]!({ accessToken: "at-2", refreshToken: "rt-2" });
					for (let i = 0; i < 5; i++) await Promise.resolve();
				}
				return value;
			},
			set: inner.set,
			clear: inner.clear,
		};
		const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
		const reauthenticate = vi.fn(() => undefined);
		const client = createClient({
			baseUrl: "https://app.example/api/",
			auth: { type: "bearer", store, refresh, refreshTimeoutMs: 50, refreshRetry: { limit: 0 } },
			reauthenticate,
			onSessionEnded: policy,
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
			ky: { fetch: api.fetch, retry: 0 },
		});
		clients.push(client);

		const first = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(200); // timed out at 50, gave up at 100
		expect(first.status).toBe("rejected");
		armAt = gets + 3; // request 2: prepare's read, recover's read, then the refresher's read inside run()
		const second = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(50);
		expect(client.session.getSnapshot().status).not.toBe("signedOut");
		expect(reauthenticate).not.toHaveBeenCalled();
	});
});

function make(extra: Record<string, unknown>, route?: Parameters<typeof fakeFetch>[0]) {
	const api = fakeFetch(route ?? ((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true }))));
	const client = createClient({
		baseUrl,
		auth: { type: "cookie" },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch: api.fetch, retry: 0 },
		...extra,
	} as never);
	clients.push(client);
	return { client, api };
}

describe("the round cap after one early 401", () => {
	it("one early 401, then 11 rounds of network failures while other requests keep the session re-authenticating: not signed out as 'unauthorized'", async () => {
		let n = 0;
		let client!: Client;
		const reauthenticate = vi.fn(async () => undefined);
		const made = make({ reauthenticate, reloadGuard: { storage: memoryStorage(), history: null, maxAttempts: 100 } }, () => {
			n++;
			if (n === 1) return new Response("{}", { status: 401 });
			client.reportSessionEnded("unauthorized"); // another request of the app finds the session dead meanwhile
			throw new TypeError("Failed to fetch");
		});
		client = made.client;
		const r = track(client.get("me"));
		await settledWithin(r, 2_000);
		expect(client.session.getSnapshot().status).not.toBe("signedOut");
	});
});

describe("the same refresh-token string in the next session", () => {
	// Left: session A's late rotation is dropped because a sign-in came between, although the store still holds the token it
	// presented. Storing it under the new session would need the sign-in to say it reuses A's tokens.
	it.fails("a late rotation of exactly the stored token is not thrown away after signIn() with that same token set", async () => {
		vi.useFakeTimers();
		const { refresh, calls, events } = signalIgnoringRefresh();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const reauthenticate = vi.fn(() => undefined);
		const { client } = make({ auth: { type: "bearer", store, refresh, refreshTimeoutMs: 50, refreshRetry: { limit: 2, delayMs: 10 } }, reauthenticate });
		void client.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(55);
		await client.signIn({ accessToken: "at-1", refreshToken: "rt-1" }); // e.g. the app re-signs in with what it has
		const next = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(1);
		calls[0]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" }); // server rotated rt-1
		await vi.advanceTimersByTimeAsync(200);
		expect(reauthenticate).not.toHaveBeenCalled();
	});
});
