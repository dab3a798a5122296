// The cross-tab refresh lock is held while a timed-out refresh call may still answer, and for other tabs only up to
// lockTimeoutMs. Each test failed on the code before its fix, except where a comment says otherwise.
import { describe, expect, it, vi } from "vitest";
import { memoryTokenStore, type RefreshFunction, type TokenStore } from "../../src/index.js";
import type { LockManagerLike } from "../../src/tabs/webLock.js";
import { fakeLocks } from "../helpers/tabs.js";
import { disposedAfterEach, track } from "../helpers/async.js";
import { bearerTab, signalIgnoringRefresh } from "../helpers/refresh.js";

const clients = disposedAfterEach();

function tab(locks: LockManagerLike, store: TokenStore, refresh: RefreshFunction) {
	return bearerTab(clients, { locks, store, refresh, dead: ["at-1"] }).client;
}

describe("the lingering hold only lasts lockTimeoutMs for other tabs", () => {
	// Fixed by issue 22: tab B goes on without the refresh lock after lockTimeoutMs, but rt-1 is presented only under its
	// own lock, which tab A holds until its call settles; B's refresh fails instead (its stall ends within 10 s).
	it("tab B does not present rt-1 while tab A's timed-out call with rt-1 is unsettled, however long it takes", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { refresh, events } = signalIgnoringRefresh();
		const a = tab(fake.locks, store, refresh);
		const b = tab(fake.locks, store, refresh);
		void a.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(21_000); // A's call 1 (rt-1) is unsettled; A's flight answered and lingers on the lock
		track(b.get("me"));
		await vi.advanceTimersByTimeAsync(70_000); // B's lockTimeoutMs (65 s) passes: B steals
		expect(events).toEqual(["call 1 (rt-1)"]);
	});
});
