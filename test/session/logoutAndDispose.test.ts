import { describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/index.js";
import { createBackend, settle, track } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

describe("logout and dispose", () => {
	it("should clear the store, sign out and send later requests without credentials", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client, store } = bearerClient(backend, backend.issue());
		await client.get("x");
		await client.logout();
		expect(await store.get()).toBeNull();
		expect(client.session.getSnapshot().status).toBe("signedOut");
		await expect(client.get("y")).rejects.toBeInstanceOf(AuthenticationError);
		expect(backend.seenAuthorization.at(-1)).toBeNull();
		expect(backend.refresh).not.toHaveBeenCalled();
	});

	it("should authenticate again after signIn with new tokens", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client } = bearerClient(backend, backend.issue());
		await client.logout();
		await client.signIn(backend.issue());
		await expect(client.get("x")).resolves.toBeTruthy();
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("should stop notifying listeners and abort stalled requests on dispose", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		backend.expireAll();
		backend.revokeRefreshTokens();
		const { client } = bearerClient(backend, tokens);
		const seen: string[] = [];
		client.session.subscribe((snapshot) => seen.push(snapshot.status));
		const stalled = track(client.get("x"));
		await settle();
		const count = seen.length;
		client.dispose();
		await settle(2);
		expect(stalled.status).toBe("rejected");
		expect((stalled.error as Error).name).toBe("AbortError");
		expect(seen.length).toBe(count);
	});

	it("should let an unsubscribed listener go", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client } = bearerClient(backend, backend.issue());
		const seen: string[] = [];
		const unsubscribe = client.session.subscribe((snapshot) => seen.push(snapshot.status));
		unsubscribe();
		await client.get("x");
		expect(seen).toEqual([]);
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});
});
