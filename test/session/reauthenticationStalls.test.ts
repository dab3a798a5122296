import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { AuthenticationError, createClient, memoryTokenStore } from "../../src/index.js";
import { baseUrl, createBackend, origin, settle, track } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";
import { memoryStorage } from "../helpers/storage.js";

const server = useMswServer();

function deadSession(overrides: Parameters<typeof bearerClient>[2] = {}) {
	const backend = createBackend();
	server.use(backend.handler);
	const tokens = backend.issue();
	backend.expireAll();
	backend.revokeRefreshTokens();
	return { backend, ...bearerClient(backend, tokens, overrides) };
}

describe("re-authentication stalls", () => {
	it("should call reauthenticate once and keep all 15 requests pending when refresh is rejected", async () => {
		const { client, reauthenticate } = deadSession();
		const requests = Array.from({ length: 15 }, (_, i) => track(client.get(`doc/${i}`)));
		await settle();
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledWith("refresh-failed");
		expect(requests.map((r) => r.status)).toEqual(Array(15).fill("pending"));
		expect(client.session.getSnapshot()).toMatchObject({ status: "reauthenticating", reason: "refresh-failed" });
	});

	it("should not send new requests while reauthenticating", async () => {
		const { backend, client } = deadSession();
		void client.get("first");
		await settle();
		const sent = backend.seenAuthorization.length;
		const later = track(client.get("later"));
		await settle();
		expect(backend.seenAuthorization.length).toBe(sent);
		expect(later.status).toBe("pending");
	});

	it("should reject a stalled request with AbortError as soon as its signal aborts", async () => {
		const { client } = deadSession();
		void client.get("first");
		await settle();
		const controller = new AbortController();
		const stalled = track(client.get("x", { signal: controller.signal }));
		await settle();
		controller.abort();
		await settle(2);
		expect(stalled.status).toBe("rejected");
		expect((stalled.error as Error).name).toBe("AbortError");
	});

	it("should re-authenticate with 'unauthorized' when no refresh is configured", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const reauthenticate = vi.fn();
		const client = createClient({
			baseUrl,
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "dead" }) },
			reauthenticate,
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
		});
		const request = track(client.get("x"));
		await settle();
		expect(reauthenticate).toHaveBeenCalledWith("unauthorized");
		expect(request.status).toBe("pending");
	});

	it("should re-authenticate on a 401 in cookie mode without refreshing", async () => {
		server.use(http.all(`${origin}/api/*`, () => HttpResponse.text("<html>Sign in</html>", { status: 401, headers: { "content-type": "text/html" } })));
		const reauthenticate = vi.fn();
		const client = createClient({ baseUrl, auth: { type: "cookie" }, reauthenticate, reloadGuard: { storage: memoryStorage() }, tabs: false });
		const requests = [track(client.get("a")), track(client.post("b", {}))];
		await settle();
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(requests.map((r) => r.status)).toEqual(["pending", "pending"]);
	});

	it("should replay stalled requests with the new tokens when reauthenticate resolves", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		backend.expireAll();
		backend.revokeRefreshTokens();
		let finish!: () => void;
		const { client, reauthenticate } = bearerClient(backend, tokens, {
			reauthenticate: () =>
				new Promise((resolve) => {
					finish = () => resolve(backend.issue());
				}),
		});
		void reauthenticate;
		const requests = Array.from({ length: 5 }, (_, i) => client.get<{ path: string }>(`r/${i}`));
		await settle();
		expect(client.session.getSnapshot().status).toBe("reauthenticating");
		finish();
		const results = await Promise.all(requests);
		expect(results.map((r) => r.path)).toEqual(["/api/r/0", "/api/r/1", "/api/r/2", "/api/r/3", "/api/r/4"]);
		expect(client.session.getSnapshot().status).toBe("authenticated");
		expect(backend.seenAuthorization.filter((a) => a === "Bearer at-2")).toHaveLength(5);
	});

	it("should sign out and reject stalled requests with AuthenticationError when reauthenticate rejects", async () => {
		const { client } = deadSession({ reauthenticate: () => Promise.reject(new Error("popup closed")) });
		const error = await client.get("x").catch((e: unknown) => e);
		expect(error).toBeInstanceOf(AuthenticationError);
		expect(client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "refresh-failed" });
	});

	it("should re-authenticate when a request fails with 401 right after a successful refresh", async () => {
		const backend = createBackend();
		server.use(http.all(`${origin}/api/*`, () => HttpResponse.json({}, { status: 401 })));
		const tokens = backend.issue();
		const { client, reauthenticate } = bearerClient(backend, tokens);
		void client.get("x");
		await settle();
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledWith("unauthorized");
	});

	it("should never hand an AuthenticationError to callers while reauthenticating", async () => {
		const { client } = deadSession();
		const errors: unknown[] = [];
		for (let i = 0; i < 10; i++) client.get(`x/${i}`).catch((error: unknown) => errors.push(error));
		await settle();
		expect(errors).toEqual([]);
	});
});
