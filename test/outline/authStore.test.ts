// Outline's AuthStore (mobx 4 idiom) driven by tokenflight/mobx, with the ApiClient in both modes. The main config
// runs this file on mobx 7; the mobx4 project (vitest.config.ts) runs it on mobx 4.15.7, the version Outline pins.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as mobx from "mobx";
import { autorun } from "mobx";
import { describe, expect, it, vi } from "vitest";
import type ApiClient from "../../examples/outline/ApiClient.js";
import AuthStore from "../../examples/outline/AuthStore.js";
import { AuthorizationError } from "../../examples/outline/errors.js";
import type { MockOutlineServer } from "../fixtures/outline/mockOutlineServer.js";
import { authEnv, browser, outcomes, useOutlineBackends } from "../helpers/outline.js";

const expectedMobxVersion = process.env.TOKENFLIGHT_EXPECT_MOBX_VERSION;
// Upstream Outline, and the SSO fork behind its auth proxy.
const [mock, ssoMock] = useOutlineBackends({ latencyMs: 5 }, { origin: "https://sso.example", sso: true, latencyMs: 5 }) as [MockOutlineServer, MockOutlineServer];

const inFlight = (client: ApiClient, n = 10) =>
	Array.from({ length: n }, (_, i) => (i % 2 ? client.post("/documents.list", { offset: i }) : client.post("/documents.info", { id: "doc_1", n: i })));

async function signedInStore(options: { sso?: boolean } = {}) {
	const backend = options.sso ? ssoMock : mock;
	const tab = browser(backend);
	if (options.sso) backend.setPortalUser("alice");
	else tab.signIn("alice");
	const client = await tab.load(options);
	const env = authEnv(tab.location);
	const store = new AuthStore(client, env);
	const logout = vi.spyOn(store, "logout");
	await store.fetchAuth();
	return { tab, client, env, store, logout, backend };
}

describe(`Outline's AuthStore on tokenflight/mobx (mobx ${expectedMobxVersion ?? "as installed"})`, () => {
	it.runIf(expectedMobxVersion !== undefined)("runs on the mobx version it was asked for", async () => {
		const require = createRequire(import.meta.url);
		const { version } = JSON.parse(readFileSync(require.resolve("mobx4/package.json"), "utf8")) as { version: string };
		expect(version).toBe(expectedMobxVersion);
		const mobx4 = await import("mobx4");
		expect(mobx.observable).toBe(mobx4.observable);
		expect("makeObservable" in mobx).toBe(false);
	});

	it("upstream: a 401 calls AuthStore.logout exactly once, with Outline's arguments, and never reloads", async () => {
		const { tab, client, env, store, logout } = await signedInStore();
		expect(store.authenticated).toBe(true);

		mock.revokeSessions("alice");
		const result = await outcomes(inFlight(client));

		expect(result.rejected).toBe(10);
		expect(result.errors.every((error) => error instanceof AuthorizationError)).toBe(true);
		expect(logout).toHaveBeenCalledExactlyOnceWith({ savePath: true, revokeToken: false, clearCache: false });
		expect(tab.location.reload).not.toHaveBeenCalled();
		expect(env.setPostLoginPath).toHaveBeenCalledExactlyOnceWith("/doc/welcome-doc_1?focus=1");
		expect(env.deleteAllDatabases).not.toHaveBeenCalled();
		expect(store.user).toBeNull();
		expect(store.authenticated).toBe(false);
		expect(client.client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "unauthorized" });

		// Later 401s are the signed-out session's: no second logout.
		await expect(client.post("/auth.info")).rejects.toBeInstanceOf(AuthorizationError);
		expect(logout).toHaveBeenCalledTimes(1);
	});

	it("SSO fork: a 401 reloads and never logs out; the store keeps its user while the page goes", async () => {
		const { tab, client, store, logout, backend } = await signedInStore({ sso: true });
		backend.setPortalUser("bob");
		const result = await outcomes(inFlight(client), () => store.session.isReauthenticating);
		expect(result).toMatchObject({ rejected: 0, pending: 10 });
		expect(tab.location.reload).toHaveBeenCalledTimes(1);
		expect(logout).not.toHaveBeenCalled();
		expect(store.user?.id).toBe("alice");
	});

	it.each([
		["upstream", false],
		["SSO fork", true],
	])("%s: a 403 user_suspended logs out once (clearing the cache) and never reloads", async (_mode, sso) => {
		const { tab, client, env, logout, backend } = await signedInStore({ sso });
		backend.suspend("alice");
		const result = await outcomes(inFlight(client));
		expect(result.rejected).toBe(10);
		expect(result.errors.every((error) => error instanceof AuthorizationError)).toBe(true);
		expect(logout).toHaveBeenCalledExactlyOnceWith({ savePath: false, revokeToken: false, clearCache: true });
		expect(env.deleteAllDatabases).toHaveBeenCalledTimes(1);
		expect(tab.location.reload).not.toHaveBeenCalled();
		expect(client.client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "user_suspended" });
	});

	it.each([
		["upstream", false],
		["SSO fork", true],
	])("%s: a 400 editor_update_required reloads once, with nothing rejected and no logout", async (_mode, sso) => {
		const { tab, client, logout, backend } = await signedInStore({ sso });
		backend.setEditorVersion("18.0.0"); // a deploy: the loaded bundle's editor (17) is too old
		const result = await outcomes(inFlight(client), () => client.client.session.getSnapshot().status === "reauthenticating");
		expect(result).toMatchObject({ rejected: 0, pending: 10 });
		expect(tab.location.reload).toHaveBeenCalledTimes(1);
		expect(logout).not.toHaveBeenCalled();
		expect(backend.requests["documents.list"]?.[400]).toBeGreaterThan(0);
	});

	it("is driven by tokenflight/mobx: reactions see the session and the store change together", async () => {
		const tab = browser(mock);
		tab.signIn("alice");
		const client = await tab.load();
		const store = new AuthStore(client, authEnv(tab.location));
		const seen: string[] = [];
		const stop = autorun(() => seen.push(`${store.session.status}:${store.authenticated ? store.user?.id : "-"}`));

		await store.fetchAuth();
		mock.revokeSessions("alice");
		await client.post("/documents.list").catch(() => undefined);
		await vi.waitFor(() => expect(store.authenticated).toBe(false));
		stop();
		store.dispose();

		// The per-reason policy goes straight to "signedOut" (no "reauthenticating" on the way, no loop-guard attempt
		// spent); the store is cleared once, after the session ended.
		expect(seen).toEqual(["unknown:-", "authenticated:-", "authenticated:alice", "signedOut:alice", "signedOut:-"]);
	});

	it("a user-initiated logout revokes the token on the server and clears the store", async () => {
		const { tab, store, env } = await signedInStore();
		await store.logout({ userInitiated: true });
		expect(mock.requests["auth.delete"]).toEqual({ 200: 1 });
		expect(tab.page.jar.has("accessToken")).toBe(false);
		expect(env.deleteAllDatabases).toHaveBeenCalledTimes(1);
		expect(store.authenticated).toBe(false);
	});
});
