// A refresh call of an older session that answers late, while the tab still holds the refresh lock for it: its tokens
// never land after logout(), nor over the next user's sign-in.
import { describe, expect, it, vi } from "vitest";
import { memoryTokenStore, type RefreshFunction, type TokenStore } from "../../src/index.js";
import { disposedAfterEach } from "../helpers/async.js";
import { fakeLocks } from "../helpers/tabs.js";
import { bearerTab, signalIgnoringRefresh } from "../helpers/refresh.js";

const clients = disposedAfterEach();

function make(store: TokenStore, refresh: RefreshFunction) {
	return bearerTab(clients, { locks: fakeLocks().locks, store, refresh, dead: ["at-A"] }).client;
}

describe("a lingering older-session call answering late", () => {
	it.each([["rt-A", "rt-A"], ["cookie", undefined]] as const)("%s: never lands after logout(), nor over bob's sign-in", async (_, rt) => {
		vi.useFakeTimers();
		const store = memoryTokenStore(rt ? { accessToken: "at-A", refreshToken: rt } : { accessToken: "at-A" });
		const { refresh, calls } = signalIgnoringRefresh();
		const client = make(store, refresh);
		void client.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(21_000);
		await client.logout();
		calls[0]!.resolve({ accessToken: "at-A2", refreshToken: "rt-A2" });
		await vi.advanceTimersByTimeAsync(1_000);
		expect(store.get()).toBeNull();

		const { refresh: r2, calls: c2 } = signalIgnoringRefresh();
		const store2 = memoryTokenStore(rt ? { accessToken: "at-A", refreshToken: rt } : { accessToken: "at-A" });
		const client2 = make(store2, r2);
		void client2.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(21_000);
		await client2.logout();
		await client2.signIn({ accessToken: "at-B", refreshToken: "rt-B" }, "bob");
		c2[0]!.resolve({ accessToken: "at-A2", refreshToken: "rt-A2" });
		await vi.advanceTimersByTimeAsync(1_000);
		expect(store2.get()).toEqual({ accessToken: "at-B", refreshToken: "rt-B" });
	});
});
