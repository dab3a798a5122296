import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createBackend, origin } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

function setup(refreshDelayMs = 20) {
	const backend = createBackend({ refreshDelayMs });
	server.use(backend.handler);
	const tokens = backend.issue();
	backend.expireAll();
	return { backend, tokens, ...bearerClient(backend, tokens) };
}

describe("single flight", () => {
	it("should call refresh exactly once for 20 concurrent 401s and retry all of them", async () => {
		const { backend, client, reauthenticate } = setup();
		const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.get<{ path: string }>(`doc/${i}`)));
		expect(results.map((r) => r.path)).toEqual(Array.from({ length: 20 }, (_, i) => `/api/doc/${i}`));
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(backend.maxConcurrentRefreshes).toBe(1);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("should retry a late 401 for an older token with the current token, without refreshing again", async () => {
		const { backend, client, store } = setup(0);
		await client.get("first");
		const current = await store.get();
		// This request leaves with a token that is replaced while it is on the wire.
		await store.set({ accessToken: "at-old", refreshToken: "rt-old" });
		server.use(
			http.get(`${origin}/api/late`, async ({ request }) => {
				if (request.headers.get("authorization") !== "Bearer at-old") return;
				await store.set(current!);
				return HttpResponse.json({}, { status: 401 });
			}),
		);
		await client.get("late");
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(backend.seenAuthorization.at(-1)).toBe(`Bearer ${current!.accessToken}`);
	});

	it("should retry a request at most once after a refresh", async () => {
		const { backend, client, reauthenticate } = setup(0);
		// The server keeps rejecting even freshly issued tokens.
		backend.refresh.mockImplementation(async () => ({ accessToken: "never-valid", refreshToken: "rt-x" }));
		void client.get("x");
		await new Promise((resolve) => setTimeout(resolve, 50));
		const authorizations = backend.seenAuthorization;
		expect(authorizations).toEqual(["Bearer at-1", "Bearer never-valid"]);
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledWith("unauthorized");
	});

	it("should show refreshing while the refresh runs", async () => {
		const { client } = setup(20);
		const statuses: string[] = [];
		client.session.subscribe((s) => statuses.push(s.status));
		await client.get("x");
		expect(statuses).toEqual(["refreshing", "authenticated"]);
	});
});

describe("rotation safety", () => {
	it("should never pass a rotated refresh token to refresh again over three expiries", async () => {
		const { backend, client } = setup(5);
		for (let round = 0; round < 3; round++) {
			await Promise.all(Array.from({ length: 10 }, () => client.get("x")));
			backend.expireAll();
		}
		expect(backend.refreshTokensUsed).toEqual(["rt-1", "rt-2", "rt-3"]);
		expect(backend.reuseDetections).toBe(0);
	});

	it("should store the new refresh token before any retried request goes out", async () => {
		const { backend, client, store } = setup(0);
		const events: string[] = [];
		const set = store.set;
		store.set = (tokens) => {
			events.push(`stored ${tokens.refreshToken}`);
			return set(tokens);
		};
		server.use(
			http.get(`${origin}/api/*`, ({ request }) => {
				events.push(`sent ${request.headers.get("authorization")}`);
			}),
		);
		await Promise.all([client.get("a"), client.get("b")]);
		const stored = events.indexOf("stored rt-2");
		expect(stored).toBeGreaterThan(0);
		expect(events.slice(0, stored).every((event) => event === "sent Bearer at-1")).toBe(true);
		expect(events.filter((event) => event === "sent Bearer at-2")).toHaveLength(2);
	});

	it("should retry a refresh that the token endpoint answered with a 503 with the same refresh token", async () => {
		const { backend, client } = setup(0);
		let calls = 0;
		const real = backend.refresh.getMockImplementation()!;
		backend.refresh.mockImplementation(async (context) => {
			calls++;
			// An error answer issues nothing, so nothing was rotated (a TypeError is no answer: see unansweredRefresh).
			if (calls === 1) throw Object.assign(new Error("Service Unavailable"), { status: 503 });
			return real(context);
		});
		await client.get("x");
		expect(backend.refreshTokensUsed).toEqual(["rt-1"]);
		expect(backend.refresh.mock.calls.map(([c]) => c.refreshToken)).toEqual(["rt-1", "rt-1"]);
	});

	it("should not send a refresh token again after the refresh answered garbage", async () => {
		const { backend, client, reauthenticate } = setup(0);
		backend.refresh.mockResolvedValueOnce({ nonsense: true } as never);
		await expect(client.get("x")).rejects.toMatchObject({ name: "RefreshError", code: "REFRESH_FAILED" });
		void client.get("y");
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledWith("refresh-failed");
	});
});

describe("short-lived tokens", () => {
	it("should refresh again, not re-authenticate, when the refreshed token expired on its way to the server", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client, reauthenticate } = bearerClient(backend, backend.issue(), { refreshLeewayMs: 0 });
		backend.expireAll();
		const real = backend.refresh.getMockImplementation()!;
		// The first refresh hands out a token that is already dead when the retry arrives.
		backend.refresh.mockImplementationOnce(async (context) => {
			const tokens = (await real(context))!;
			backend.expireAll();
			return { ...tokens, expiresAt: Date.now() - 1 };
		});
		await expect(client.get<{ path: string }>("x")).resolves.toMatchObject({ path: "/api/x" });
		expect(backend.refresh).toHaveBeenCalledTimes(2);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("should cap the leeway at half a refreshed token's lifetime instead of refreshing on every request", async () => {
		const backend = createBackend({ accessTtlMs: 2_000 });
		server.use(backend.handler);
		const first = backend.issue();
		backend.expireAll();
		const { client } = bearerClient(backend, first, { refreshLeewayMs: 30_000 });
		await client.get("a");
		await client.get("b");
		await client.get("c");
		expect(backend.refresh).toHaveBeenCalledTimes(1);
	});
});
