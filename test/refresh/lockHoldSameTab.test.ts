// A tab's own next refresh, and the next session's, behind the refresh lock the tab still holds for a timed-out call.
// Each test failed on the code before its fix, except where a comment says otherwise.
import { describe, expect, it, vi } from "vitest";
import { type ClientOptions, memoryTokenStore, type RefreshFunction, type TokenStore } from "../../src/index.js";
import type { LockManagerLike } from "../../src/tabs/webLock.js";
import { fakeLocks } from "../helpers/tabs.js";
import { disposedAfterEach, track } from "../helpers/async.js";
import { bearerTab, signalIgnoringRefresh } from "../helpers/refresh.js";

const clients = disposedAfterEach();

function tab(locks: LockManagerLike | null, store: TokenStore, refresh: RefreshFunction, extra: Partial<ClientOptions> = {}) {
	// at-1, at-A and at-B (and no token) are dead; everything else is accepted.
	return bearerTab(clients, { locks, store, refresh, dead: ["at-1", "at-A", "at-B", ""], extra });
}

describe("the tab's own next refresh waits behind its own lingering lock", () => {
	it.each([["tabs on", true], ["tabs off", false]] as const)("%s: the second request (same tab) settles promptly once the first failed", async (_, withTabs) => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { refresh, events } = signalIgnoringRefresh();
		const { client } = tab(withTabs ? fake.locks : null, store, refresh);
		const first = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(21_000); // call 1 timed out at 10 s; the wait for it gave up at 20 s
		expect(first.status).toBe("rejected");
		const t0 = Date.now();
		const second = track(client.get("me"));
		let waited = 0;
		while (second.status === "pending" && waited < 120_000) {
			await vi.advanceTimersByTimeAsync(1_000);
			waited += 1_000;
		}
		expect(Date.now() - t0).toBeLessThan(5_000);
	});
});

describe("a lingering flight of an older session (alice) and the next session's (bob) refresh", () => {
	it("after logout() + signIn(bob), bob's refresh is made promptly, not after lockTimeoutMs", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-A", refreshToken: "rt-A" });
		const { refresh, events } = signalIgnoringRefresh();
		const { client } = tab(fake.locks, store, refresh);
		void client.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(21_000); // alice's call 1 hangs, ignoring its signal
		await client.logout();
		await client.signIn({ accessToken: "at-B", refreshToken: "rt-B" }, "bob");
		const t0 = Date.now();
		const bob = track(client.get("me"));
		let waited = 0;
		while (events.length < 2 && waited < 120_000) {
			await vi.advanceTimersByTimeAsync(1_000);
			waited += 1_000;
		}
		expect(events).toEqual(["call 1 (rt-A)", "call 2 (rt-B)"]);
		expect(Date.now() - t0).toBeLessThan(5_000);
	});
});
