// While the tab's own refresh lock lingers for a timed-out call, a request whose access token is still valid (though
// expiring) is answered with it instead of stalling. Each test failed on the code before its fix.
import { describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client } from "../../src/index.js";
import { fakeLocks } from "../helpers/tabs.js";
import { disposedAfterEach, track } from "../helpers/async.js";
import { fakeFetch } from "../helpers/fakeFetch.js";
import { signalIgnoringRefresh } from "../helpers/refresh.js";
import { memoryStorage } from "../helpers/storage.js";

const clients = disposedAfterEach();

describe("a still-valid (expiring) access token while the tab's own lock lingers", () => {
	it.each([["tabs on", true], ["tabs off", false]] as const)("%s: a request made while at-1 is still valid is answered with it", async (_, withTabs) => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const expiresAt = Date.now() + 28_000; // inside the 30 s leeway from the start: proactive refresh is due
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1", expiresAt });
		const { refresh, events } = signalIgnoringRefresh();
		const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" && Date.now() < expiresAt ? Response.json({ ok: true }) : new Response("{}", { status: 401 })));
		const client = createClient({
			baseUrl: "https://app.example/api/",
			auth: { type: "bearer", store, refresh },
			tabs: withTabs ? { locks: fake.locks, channel: null, visibility: null } : false,
			reauthenticate: () => undefined,
			reloadGuard: { storage: memoryStorage(), history: null },
			ky: { fetch: api.fetch, retry: 0 },
		});
		clients.push(client);
		const first = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(21_000); // call 1 hangs; the refresh failed at 20 s and the request went out with at-1
		expect(first.status).toBe("fulfilled");
		const t0 = Date.now();
		const second = track(client.get("me")); // at 21 s; at-1 is valid until 28 s
		await vi.advanceTimersByTimeAsync(3_000);
		const atThree = second.status;
		for (let i = 0; i < 300 && second.status === "pending"; i++) await vi.advanceTimersByTimeAsync(1_000);
		expect(atThree).toBe("fulfilled");
	});
});
