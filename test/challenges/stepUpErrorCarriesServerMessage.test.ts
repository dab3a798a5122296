// README: an error's message carries the server's own words. A step-up challenge's body (or, without one, the
// challenge's error_description) is what the user should read, not "Request failed with status 401".
import { describe, expect, it } from "vitest";
import { createClient, memoryTokenStore, StepUpRequiredError, type Client } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { memoryStorage } from "../helpers/storage.js";

const { server, clients } = useRecordingServer();

const challenge = 'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="mfa"';

function bearer() {
	const client = createClient({
		baseUrl: `${server.state.origin}/api/`,
		auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
	});
	clients.push(client);
	return client;
}

describe("StepUpRequiredError", () => {
	it("should carry the message of the challenged answer's body, and the body as data", async () => {
		server.state.route = () => ({ status: 401, headers: { "www-authenticate": challenge }, body: '{"message":"Exports need a second factor"}' });
		const error = await bearer().get("documents.export").catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(StepUpRequiredError);
		expect((error as Error).message).toMatch(/^Exports need a second factor \(status 401 GET /);
		expect(error).toMatchObject({ data: { message: "Exports need a second factor" }, acrValues: ["mfa"] });
	});

	it("should carry the challenge's error_description when the body says nothing", async () => {
		server.state.route = () => ({ status: 401, headers: { "www-authenticate": challenge } });
		const error = await bearer().get("documents.export").catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(StepUpRequiredError);
		expect((error as Error).message).toMatch(/^A different authentication level is required \(status 401 GET /);
	});
});
