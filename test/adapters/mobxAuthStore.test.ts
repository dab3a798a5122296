// An app's own mobx 6+ store (makeObservable) driven by tokenflight/mobx. mobx 4 has no makeObservable, so the mobx4
// project leaves this file out (vitest.config.ts); test/peers/mobx.test.ts runs the same scenario written for mobx 4 to 7.
import { action, makeObservable, observable } from "mobx";
import { describe, expect, it } from "vitest";
import { createSessionStore } from "../../src/mobx/index.js";
import { createBackend } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

/** Shaped like Outline's AuthStore: the app's own store, which tokenflight must drive, not replace. */
class AuthStore {
	user: string | null = "alice";
	logoutCalls = 0;
	constructor() {
		makeObservable(this, { user: observable, logout: action });
	}
	logout() {
		this.user = null;
		this.logoutCalls++;
	}
}

describe("tokenflight/mobx", () => {
	it("should drive an existing AuthStore through onSessionEnded", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client } = bearerClient(backend, backend.issue());
		const auth = new AuthStore();
		const session = createSessionStore(client, { onSessionEnded: () => auth.logout() });
		await client.get("x");
		await client.logout();
		expect(auth.user).toBeNull();
		expect(auth.logoutCalls).toBe(1);
		expect(session.isSignedOut).toBe(true);
	});
});
