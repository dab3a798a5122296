// Under onSessionEnded: "signOut", a write the dead session answered 200 (a body or header the classifier reads as a
// dead session) reached the server, which may have acted on it: the caller hears NotReplayedError, not a 401.
import { describe, expect, it } from "vitest";
import { createClient, NotReplayedError, type Client } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { memoryStorage } from "../helpers/storage.js";

const { server, clients } = useRecordingServer();

/** A cookie client whose classifier reads `x-session: expired` as a dead session, under the signOut policy. */
function headerMarkedClient() {
	const client = createClient({
		baseUrl: `${server.state.origin}/api/`,
		auth: { type: "cookie" },
		sessionEnded: (response) => (response?.headers.get("x-session") === "expired" ? "expired" : false),
		onSessionEnded: "signOut",
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
	});
	clients.push(client);
	return client;
}

describe("a write answered 200 by a dead session, under the signOut policy", () => {
	it.each(["cookie", "bearer"] as const)("should reject with NotReplayedError and sign out once (%s)", async (type) => {
		server.state.route = () => ({ status: 200, body: '{"ok":false,"error":"user_suspended"}' });
		let signedOut = 0;
		const client = createClient({
			baseUrl: `${server.state.origin}/api/`,
			auth: type === "cookie" ? { type: "cookie" } : { type: "bearer", store: { get: () => ({ accessToken: "at-1" }), set: () => undefined, clear: () => undefined } },
			sessionEnded: (_response, context) => ((context.data as { error?: string } | undefined)?.error === "user_suspended" ? "user_suspended" : false),
			onSessionEnded: "signOut",
			onSignedOut: () => signedOut++,
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
		});
		clients.push(client);
		await expect(client.post("documents.create", { title: "x" })).rejects.toBeInstanceOf(NotReplayedError);
		expect(server.state.seen.filter((seen) => seen.method === "POST")).toHaveLength(1);
		expect(client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "user_suspended" });
		expect(signedOut).toBe(1);
	});

	it("should reject with NotReplayedError for a write a 200 header marks as dead", async () => {
		server.state.route = () => ({ status: 200, headers: { "x-session": "expired" }, body: "{}" });
		const client = headerMarkedClient();
		await expect(client.post("documents.create", { title: "x" })).rejects.toBeInstanceOf(NotReplayedError);
	});

	it("should reject every such write with NotReplayedError, also those answered after the first signed out", async () => {
		let answered = 0;
		server.state.route = () => ({ status: 200, headers: { "x-session": "expired" }, body: `{"n":${answered++}}` });
		const client = headerMarkedClient();
		const writes = await Promise.allSettled([1, 2, 3].map((n) => client.post("documents.create", { n })));
		for (const write of writes) expect(write).toMatchObject({ status: "rejected", reason: expect.any(NotReplayedError) });
		expect(server.state.seen).toHaveLength(3);
	});
});
