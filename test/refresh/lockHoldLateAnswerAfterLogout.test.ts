// Review theme: the third review, of the refresh lock held while a timed-out call may still answer (9e1c14e, 9e09318).
// R-numbers are the review's. These held on the reviewed code, and stay as checks of the hold's epoch rules.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Client, memoryTokenStore, type RefreshFunction, type TokenStore } from "../../src/index.js";
import { fakeLocks } from "../helpers/tabs.js";
import { bearerTab, signalIgnoringRefresh } from "../helpers/refresh.js";

const clients: Client[] = [];
afterEach(() => {
	clients.splice(0).forEach((client) => client.dispose());
	vi.useRealTimers();
});

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
