import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, storageTokenStore, type Client, type ClientOptions, type TokenSet, type TokenStore } from "../../src/index.js";
import { baseUrl, createBackend, settle } from "../helpers/backend.js";
import { useMswServer } from "../helpers/msw.js";
import { memoryStorage } from "../helpers/storage.js";
import { fakeLocks, fakeVisibility } from "../helpers/tabs.js";

const server = useMswServer();
const opened: Client[] = [];
afterEach(() => opened.splice(0).forEach((client) => client.dispose()));

let run = 0;

/** A browser with one localStorage, one lock manager and one BroadcastChannel name, shared by its tabs. */
function browser(backend: ReturnType<typeof createBackend>) {
	run++;
	const localStorage = memoryStorage();
	const lockManager = fakeLocks();
	const store = storageTokenStore(localStorage, "tokens");
	function openTab(overrides: Partial<ClientOptions> & { tabStorage?: ReturnType<typeof memoryStorage> } = {}) {
		const reauthenticate = vi.fn();
		const client = createClient({
			baseUrl,
			auth: { type: "bearer", store, refresh: backend.refresh },
			reauthenticate,
			reloadGuard: { storage: localStorage, tabId: `tab-${opened.length}` },
			tabs: { name: `test-${run}`, locks: lockManager.locks, visibility: null },
			identity: (response) => response.headers.get("x-user-id"),
			ky: { retry: 0 },
			...overrides,
		});
		opened.push(client);
		return { client, reauthenticate };
	}
	return { openTab, store, lockManager, localStorage };
}

async function until(check: () => boolean, rounds = 200) {
	for (let i = 0; i < rounds && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("tabs", () => {
	it("should refresh once for 4 tabs × 25 requests with an expired shared token, with no reuse", async () => {
		const backend = createBackend({ refreshDelayMs: 20 });
		server.use(backend.handler);
		const { openTab, store } = browser(backend);
		await store.set(backend.issue());
		backend.expireAll();
		const tabs = Array.from({ length: 4 }, () => openTab().client);
		const results = await Promise.all(tabs.flatMap((tab) => Array.from({ length: 25 }, (_, i) => tab.get(`x/${i}`))));
		expect(results).toHaveLength(100);
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(backend.reuseDetections).toBe(0);
	});

	it("should sign out every tab when one logs out, without a failed request", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { openTab, store } = browser(backend);
		await store.set(backend.issue());
		const [one, two, three] = [openTab().client, openTab().client, openTab().client];
		await Promise.all([one.get("x"), two.get("x"), three.get("x")]);
		const sent = backend.seenAuthorization.length;
		await one.logout();
		await until(() => two.session.getSnapshot().status === "signedOut" && three.session.getSnapshot().status === "signedOut");
		expect(two.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "signed-out-elsewhere" });
		expect(three.session.getSnapshot().status).toBe("signedOut");
		expect(backend.seenAuthorization.length).toBe(sent);
	});

	it("should move other tabs to reauthenticating when one sees another user", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { openTab, store } = browser(backend);
		await store.set(backend.issue());
		const first = openTab();
		const second = openTab();
		await Promise.all([first.client.get("x"), second.client.get("x")]);
		backend.switchUser("bob");
		void first.client.get("y").catch(() => {});
		await until(() => second.client.session.getSnapshot().status === "reauthenticating");
		expect(second.client.session.getSnapshot()).toMatchObject({ status: "reauthenticating", reason: "identity-changed" });
		expect(first.reauthenticate).toHaveBeenCalledTimes(1);
		expect(second.reauthenticate).toHaveBeenCalledTimes(1);
	});

	it("should share one loop-guard budget: five tabs failing on one dead token spend one attempt", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { openTab, store, localStorage } = browser(backend);
		await store.set(backend.issue());
		backend.expireAll();
		backend.revokeRefreshTokens();
		const reloads: number[] = [];
		for (let round = 0; round < 3; round++) {
			// Every round, each of the five tabs reloads: five fresh clients with the same tab ids.
			opened.splice(0).forEach((client) => client.dispose());
			const tabs = Array.from({ length: 5 }, (_, i) => openTab({ reloadGuard: { storage: localStorage, tabId: `tab-${i}`, maxAttempts: 2 } }));
			tabs.forEach((tab) => void tab.client.get("x").catch(() => {}));
			await until(() => tabs.every((tab) => tab.client.session.getSnapshot().status !== "unknown" && tab.client.session.getSnapshot().status !== "refreshing"));
			await settle();
			reloads.push(tabs.filter((tab) => tab.reauthenticate.mock.calls.length === 1).length);
			if (round === 2) expect(tabs.every((tab) => tab.client.session.getSnapshot().status === "signedOut")).toBe(true);
		}
		// Two rounds of one reload per tab (maxAttempts: 2), then every tab lands signed out: no endless reload.
		expect(reloads).toEqual([5, 5, 0]);
	});

	it("should let other tabs get a token when the lock holder freezes mid-refresh", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { openTab, store, lockManager } = browser(backend);
		await store.set(backend.issue());
		backend.expireAll();
		lockManager.freezeNextHolder();
		// The first tab takes the lock and never comes back.
		const stuck = openTab({ tabs: { name: `test-${run}`, locks: lockManager.locks, visibility: null, lockTimeoutMs: 50 } }).client;
		void stuck.get("a").catch(() => {});
		await settle();
		const healthy = openTab({ tabs: { name: `test-${run}`, locks: lockManager.locks, visibility: null, lockTimeoutMs: 50 } }).client;
		await expect(healthy.get<{ path: string }>("b")).resolves.toMatchObject({ path: "/api/b" });
		expect(lockManager.steals).toBe(1);
		expect(backend.refresh).toHaveBeenCalledTimes(1);
	});

	it("should refresh an expiring token when the tab becomes visible, without waiting for a request", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { store } = browser(backend);
		await store.set({ ...backend.issue(), expiresAt: Date.now() + 5_000 });
		const visibility = fakeVisibility();
		const client = createClient({
			baseUrl,
			auth: { type: "bearer", store, refresh: backend.refresh },
			tabs: { name: `vis-${run}`, locks: null, channel: null, visibility },
		});
		opened.push(client);
		visibility.show();
		await until(() => backend.refresh.mock.calls.length > 0);
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(backend.seenAuthorization).toEqual([]);
	});

	it("should stay rotation-safe per tab when Web Locks are missing", async () => {
		const backend = createBackend({ refreshDelayMs: 5 });
		server.use(backend.handler);
		const { openTab, store } = browser(backend);
		await store.set(backend.issue());
		backend.expireAll();
		const tab = openTab({ tabs: { name: `nolocks-${run}`, locks: null, visibility: null } }).client;
		await Promise.all(Array.from({ length: 10 }, () => tab.get("x")));
		backend.expireAll();
		await Promise.all(Array.from({ length: 10 }, () => tab.get("x")));
		expect(backend.refreshTokensUsed).toEqual(["rt-1", "rt-2"]);
		expect(backend.reuseDetections).toBe(0);
	});
	it("should wait for a lagging store instead of presenting a refresh token another tab rotated", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { openTab, store } = browser(backend);
		await store.set(backend.issue());
		backend.expireAll();
		// Tab B's view of localStorage lags behind tab A's writes, as Chromium's does between processes.
		const stale: TokenSet | null = (await store.get()) ?? null;
		let lagging = true;
		const laggingStore: TokenStore = { get: () => (lagging ? stale : store.get()), set: (tokens) => store.set(tokens), clear: () => store.clear() };
		const a = openTab().client;
		const b = openTab({ auth: { type: "bearer", store: laggingStore, refresh: backend.refresh } }).client;
		await a.get("first");
		setTimeout(() => (lagging = false), 150);
		await expect(b.get<{ path: string }>("second")).resolves.toMatchObject({ path: "/api/second" });
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(backend.reuseDetections).toBe(0);
	});
});

describe("tabs without browser features", () => {
	it("should work per tab when BroadcastChannel and Web Locks are missing", async () => {
		vi.stubGlobal("BroadcastChannel", undefined);
		try {
			const backend = createBackend();
			server.use(backend.handler);
			const tokens = backend.issue();
			backend.expireAll();
			const client = createClient({ baseUrl, auth: { type: "bearer", store: storageTokenStore(memoryStorage()), refresh: backend.refresh }, tabs: { name: "bare", visibility: null } });
			opened.push(client);
			await client.signIn(tokens);
			await Promise.all([client.get("a"), client.get("b")]);
			expect(backend.refresh).toHaveBeenCalledTimes(1);
		} finally {
			vi.unstubAllGlobals();
		}
	});
});
