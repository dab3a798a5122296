import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createBackend, origin, settle, track } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

describe("identity pin", () => {
	it("should withhold another user's data and re-authenticate with identity-changed", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client, reauthenticate } = bearerClient(backend, backend.issue(), {
			identity: (response) => response.headers.get("x-user-id"),
		});
		await client.get("me");
		expect(client.session.getSnapshot().identity).toBe("alice");
		backend.switchUser("mallory");
		const request = track(client.get("docs"));
		await settle();
		expect(request.status).toBe("pending");
		expect(reauthenticate).toHaveBeenCalledExactlyOnceWith("identity-changed");
		expect(client.session.getSnapshot()).toMatchObject({ status: "reauthenticating", reason: "identity-changed" });
	});

	it("should ignore responses that carry no identity", async () => {
		const backend = createBackend();
		server.use(http.get(`${origin}/api/public`, () => HttpResponse.json({})), backend.handler);
		const { client, reauthenticate } = bearerClient(backend, backend.issue(), {
			identity: (response) => response.headers.get("x-user-id"),
		});
		await client.get("me");
		await client.get("public");
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().identity).toBe("alice");
	});
});
