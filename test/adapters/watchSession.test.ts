import { describe, expect, it } from "vitest";
import { watchSession } from "../../src/index.js";
import { createBackend, settle } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

describe("watchSession", () => {
	it("should report reauthentication, identity changes and the end of the session to plain callbacks", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client } = bearerClient(backend, backend.issue(), {
			identity: (response) => response.headers.get("x-user-id"),
			reauthenticate: () => Promise.resolve(backend.issue()),
		});
		const events: string[] = [];
		watchSession(client.session, {
			onReauthenticating: (reason) => events.push(`reauthenticating:${reason}`),
			onIdentityChanged: (next, previous) => events.push(`identity:${previous}->${next}`),
			onSessionEnded: (snapshot) => events.push(`ended:${snapshot.reason}`),
		});
		await client.get("x");
		backend.switchUser("bob");
		await client.get("y");
		await settle();
		await client.logout();
		expect(events).toEqual(["reauthenticating:identity-changed", "identity:alice->bob", "ended:undefined"]);
	});
});
