import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as mobx from "mobx";
import { action, autorun, observable } from "mobx";
import { describe, expect, it } from "vitest";
import { createSessionStore } from "../../src/mobx/index.js";
import { createBackend } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

// tokenflight/mobx on every mobx major our peer range allows (>=4.15.7): the main config runs this file on mobx 7,
// the mobx4 project (vitest.config.ts) on mobx 4.15.7 (Outline's version). Only APIs that exist from mobx 4 to 7 are used here.
const expectedMobxVersion = process.env.TOKENFLIGHT_EXPECT_MOBX_VERSION;
const server = useMswServer();

/** Shaped like Outline's AuthStore (decorated observables in mobx 4), written without makeObservable (mobx ≥ 6). */
function authStore() {
	const store = observable({ user: "alice" as string | null, logoutCalls: 0 });
	const logout = action(() => {
		store.user = null;
		store.logoutCalls++;
	});
	return { store, logout };
}

describe(`tokenflight/mobx on mobx ${expectedMobxVersion ?? "as installed"}`, () => {
	it.runIf(expectedMobxVersion !== undefined)("runs on the mobx version it was asked for", async () => {
		const require = createRequire(import.meta.url);
		const { version } = JSON.parse(readFileSync(require.resolve("mobx4/package.json"), "utf8")) as { version: string };
		expect(version).toBe(expectedMobxVersion);
		// What `mobx` resolves to here (and in src/mobx) is the mobx4 package itself. Imported only here: next to
		// another mobx (the main config's mobx 7), mobx 4 throws "multiple, different versions of MobX active".
		const mobx4 = await import("mobx4");
		expect(mobx.observable).toBe(mobx4.observable);
		expect("makeObservable" in mobx).toBe(false);
	});

	it("drives the app's own store through onSessionEnded, and reactions see the session end", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client } = bearerClient(backend, backend.issue());
		const auth = authStore();
		const session = createSessionStore(client, { onSessionEnded: () => auth.logout() });
		const seen: string[] = [];
		const stop = autorun(() => seen.push(`${session.status}:${auth.store.user}`));

		await client.get("x");
		await client.logout();
		stop();
		session.dispose();
		client.dispose();

		expect(auth.store.logoutCalls).toBe(1);
		expect(session.isSignedOut).toBe(true);
		expect(seen[0]).toBe("unknown:alice");
		expect(seen).toContain("authenticated:alice");
		expect(seen.at(-1)).toBe("signedOut:null");
	});
});
