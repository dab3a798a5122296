// Review theme: the third review, of the refresh lock held while a timed-out call may still answer (9e1c14e, 9e09318).
// R-numbers are the review's. Each test failed on the code it reviewed, except where a comment says otherwise.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Client, memoryTokenStore, type RefreshFunction, type TokenStore } from "../../src/index.js";
import type { LockManagerLike } from "../../src/tabs/webLock.js";
import { fakeLocks } from "../helpers/tabs.js";
import { bearerTab, signalIgnoringRefresh, track } from "./helpers.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => {
	clients.splice(0).forEach((client) => client.dispose());
	vi.useRealTimers();
});

function tab(locks: LockManagerLike, store: TokenStore, refresh: RefreshFunction) {
	return bearerTab(clients, { locks, store, refresh, dead: ["at-1"] }).client;
}

describe("R4 the lingering hold only lasts lockTimeoutMs for other tabs", () => {
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
