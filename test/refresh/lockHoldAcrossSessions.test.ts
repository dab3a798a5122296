// The next user's refresh while the previous user's flight is queued on a lingering refresh lock: bob's refresh token
// is used, not handed to reauthenticate. Each test failed on the code before its fix.
import { describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client } from "../../src/index.js";
import { fakeLocks } from "../helpers/tabs.js";
import { disposedAfterEach, track } from "../helpers/async.js";
import { fakeFetch } from "../helpers/fakeFetch.js";
import { signalIgnoringRefresh } from "../helpers/refresh.js";
import { memoryStorage } from "../helpers/storage.js";

const baseUrl = "https://app.example/api/";
const clients = disposedAfterEach();

describe("bob's refresh joins alice's flight that is queued on the tab's own lingering lock", () => {
	it("bob's dead access token is refreshed with rt-B, not handed to reauthenticate", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const store = memoryTokenStore({ accessToken: "at-A", refreshToken: "rt-A" });
		const { refresh, calls, events } = signalIgnoringRefresh();
		const api = fakeFetch((seen) => (["Bearer at-A", "Bearer at-B"].includes(seen.headers.authorization ?? "") ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
		const reauthenticate = vi.fn(() => undefined);
		const client = createClient({
			baseUrl,
			auth: { type: "bearer", store, refresh },
			tabs: { locks: fake.locks, channel: null, visibility: null },
			reauthenticate,
			reloadGuard: { storage: memoryStorage(), history: null },
			ky: { fetch: api.fetch, retry: 0 },
		});
		clients.push(client);
		void client.get("me").catch(() => undefined);
		await vi.advanceTimersByTimeAsync(21_000); // alice's call 1 hangs; flight 1 answered, lingers on the lock
		void client.get("me").catch(() => undefined); // alice's 2nd request: flight 2 queues on the tab's own lock
		await vi.advanceTimersByTimeAsync(1_000);
		await client.logout();
		await client.signIn({ accessToken: "at-B", refreshToken: "rt-B" }, "bob");
		const bob = track(client.get("me")); // at-B is dead at the server: a refresh with rt-B is due
		await vi.advanceTimersByTimeAsync(70_000); // flight 2 steals at 86 s
		if (calls[1]) calls[1].resolve({ accessToken: "at-B2", refreshToken: "rt-B2" });
		await vi.advanceTimersByTimeAsync(70_000);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(events).toContain("call 2 (rt-B)");
	});
});

describe("without a lingering flight: alice's flight queued behind another tab's lock", () => {
	it("bob's dead access token is refreshed with rt-B, not handed to reauthenticate", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		let releaseOther!: () => void;
		void fake.locks.request("tokenflight:refresh:tokenflight", {}, () => new Promise<void>((r) => (releaseOther = r))); // another tab's refresh holds the lock
		const store = memoryTokenStore({ accessToken: "at-A", refreshToken: "rt-A" });
		const presented: (string | undefined)[] = [];
		const api = fakeFetch((seen) => (["Bearer at-A", "Bearer at-B"].includes(seen.headers.authorization ?? "") ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
		const reauthenticate = vi.fn(() => undefined);
		const client = createClient({
			baseUrl,
			auth: { type: "bearer", store, refresh: async ({ refreshToken }) => (presented.push(refreshToken), { accessToken: "at-B2", refreshToken: "rt-B2" }) },
			tabs: { locks: fake.locks, channel: null, visibility: null },
			reauthenticate,
			reloadGuard: { storage: memoryStorage(), history: null },
			ky: { fetch: api.fetch, retry: 0 },
		});
		clients.push(client);
		void client.get("me").catch(() => undefined); // alice: 401 -> refresh queues on the lock
		await vi.advanceTimersByTimeAsync(1_000);
		await client.logout();
		await client.signIn({ accessToken: "at-B", refreshToken: "rt-B" }, "bob");
		const bob = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(1_000);
		releaseOther();
		await vi.advanceTimersByTimeAsync(5_000);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(presented).toEqual(["rt-B"]);
	});
});
