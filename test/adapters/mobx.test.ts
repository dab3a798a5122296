import { autorun } from "mobx";
import { describe, expect, it } from "vitest";
import { createSessionStore } from "../../src/mobx/index.js";
import { createBackend, settle } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

describe("tokenflight/mobx", () => {
	it("should mirror the session into observables that reactions see", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		const { client } = bearerClient(backend, tokens);
		const session = createSessionStore(client);
		const seen: string[] = [];
		const stop = autorun(() => seen.push(`${session.status}:${session.isReauthenticating}`));
		await client.get("x");
		backend.expireAll();
		backend.revokeRefreshTokens();
		void client.get("y");
		await settle();
		stop();
		expect(seen).toEqual(["unknown:false", "authenticated:false", "refreshing:false", "reauthenticating:true"]);
		expect(session.reason).toBe("refresh-failed");
	});

	it("should stop following the client after dispose", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client } = bearerClient(backend, backend.issue());
		const session = createSessionStore(client);
		session.dispose();
		await client.get("x");
		expect(session.status).toBe("unknown");
	});
});
