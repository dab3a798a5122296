// ky's options are passed to ky.create: a client-level `credentials` holds for every trusted request that does not
// set its own (Open WebUI's oauth_session_id cookie must go with every call).
import { describe, expect, it } from "vitest";
import { createClient, memoryTokenStore, type ClientOptions } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";

function recordingClient(auth: ClientOptions["auth"], credentials: RequestCredentials) {
	const sent: RequestCredentials[] = [];
	const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
		sent.push((input instanceof Request ? input : new Request(input, init)).credentials);
		return Response.json({ ok: true });
	};
	const client = createClient({
		baseUrl: "https://chat.example/api/",
		auth,
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch, credentials, retry: 0 },
	});
	return { client, sent };
}

describe("ky: { credentials } given to the client", () => {
	it.each([
		["bearer", { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) } as const, "include"],
		["cookie", { type: "cookie" } as const, "same-origin"],
	] as const)("is the mode of every trusted request that sets none (%s)", async (_, auth, credentials) => {
		const { client, sent } = recordingClient(auth, credentials);

		await client.get("tools");
		await client.post("tools/run", { id: 1 });
		await client.fetch("https://chat.example/api/tools");
		await client.get("share", { auth: "neutral" });

		expect(sent).toEqual([credentials, credentials, credentials, credentials]);
		client.dispose();
	});

	it("gives way to a request's own credentials", async () => {
		const { client, sent } = recordingClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) }, "include");

		await client.get("tools", { credentials: "omit" });

		expect(sent).toEqual(["omit"]);
		client.dispose();
	});
});
