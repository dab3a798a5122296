import { describe, it, expect, vi } from "vitest";
import { createMockAuthServer } from "../../src/msw/index.js";
import type { LoginResult } from "../../src/msw/index.js";
import { origin, useMockBackend } from "../helpers/scenario.js";

const api = `${origin}/api`;
const { mock, server } = useMockBackend();

function tokenRequest(params: Record<string, string>, init: RequestInit = {}) {
	return fetch(`${origin}/oauth/token`, { method: "POST", body: new URLSearchParams(params), ...init });
}

function refresh(refreshToken: string, init: RequestInit = {}) {
	return tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: "web" }, init);
}

type CallOptions = { token?: string; cookie?: string; csrf?: string; body?: unknown; method?: string; signal?: AbortSignal };

function call(route: string, { token, cookie, csrf, body, method = "POST", signal }: CallOptions = {}) {
	const headers = new Headers({ "content-type": "application/json" });
	if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
	if (cookie !== undefined) headers.set("cookie", cookie);
	if (csrf !== undefined) headers.set("x-csrf-token", csrf);
	const init: RequestInit = { method, headers };
	if (method !== "GET") init.body = JSON.stringify(body ?? {});
	if (signal) init.signal = signal;
	return fetch(`${api}/${route}`, init);
}

function cookieOf(login: LoginResult) {
	return `sid=${login.sessionId}`;
}

describe("token endpoint", () => {
	it("rotates: a refresh returns new tokens and consumes the refresh token it was given", async () => {
		const { refreshToken } = mock.login("alice");

		const first = await refresh(refreshToken);
		const body = await first.json();

		expect(first.status).toBe(200);
		expect(body).toMatchObject({ token_type: "Bearer", expires_in: 60, refresh_expires_in: 7 * 24 * 60 * 60 });
		expect(body.refresh_token).toEqual(expect.any(String));
		expect(body.refresh_token).not.toBe(refreshToken);
		expect((await call("auth.info", { token: body.access_token })).status).toBe(200);
		const again = await refresh(refreshToken);
		expect(again.status).toBe(400);
		expect(await again.json()).toMatchObject({ error: "invalid_grant" });
	});

	it("answers token responses with Cache-Control: no-store", async () => {
		const { refreshToken } = mock.login("alice");
		const response = await refresh(refreshToken);
		expect(response.headers.get("cache-control")).toBe("no-store");
	});

	it("treats reuse of a consumed refresh token as theft: the whole family is revoked and counted", async () => {
		const login = mock.login("alice");
		const rotated = await (await refresh(login.refreshToken)).json();

		const reuse = await refresh(login.refreshToken);

		expect(reuse.status).toBe(400);
		expect(await reuse.json()).toMatchObject({ error: "invalid_grant", error_description: expect.any(String) });
		expect(mock.counters.reuseDetections).toBe(1);
		expect((await call("auth.info", { token: rotated.access_token })).status).toBe(401);
		expect((await refresh(rotated.refresh_token)).status).toBe(400);
	});

	it("rejects an unknown refresh token with invalid_grant without counting a reuse", async () => {
		const response = await refresh("rt_unknown");
		expect(response.status).toBe(400);
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(await response.json()).toMatchObject({ error: "invalid_grant" });
		expect(mock.counters.reuseDetections).toBe(0);
	});

	it("rejects a refresh token past its lifetime with invalid_grant", async () => {
		let clock = 1_000_000;
		const shortLived = createMockAuthServer({ refreshTokenTtlMs: 1_000, now: () => clock });
		server.use(...shortLived.handlers);
		const { refreshToken } = shortLived.login("alice");

		clock += 1_000;

		const response = await refresh(refreshToken);
		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ error: "invalid_grant" });
	});

	it.each([
		["a JSON body", () => fetch(`${origin}/oauth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ grant_type: "refresh_token", refresh_token: "x" }) }), "invalid_request"],
		["a missing refresh_token", () => tokenRequest({ grant_type: "refresh_token" }), "invalid_request"],
		["a missing grant_type", () => tokenRequest({ refresh_token: "x" }), "invalid_request"],
		["a repeated parameter", () => fetch(`${origin}/oauth/token`, { method: "POST", body: new URLSearchParams("grant_type=refresh_token&refresh_token=a&refresh_token=b") }), "invalid_request"],
		["the password grant", () => tokenRequest({ grant_type: "password", username: "alice", password: "x" }), "unsupported_grant_type"],
	])("answers %s with a 400 %s OAuth error", async (_case, send, error) => {
		const response = await send();
		expect(response.status).toBe(400);
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(await response.json()).toEqual({ error, error_description: expect.any(String) });
	});
});

describe("sessions", () => {
	it("keeps the first device's session alive when the user logs in on a second device", async () => {
		const laptop = mock.login("alice", { device: "laptop" });
		const phone = mock.login("alice", { device: "phone" });

		expect(phone.sessionId).not.toBe(laptop.sessionId);
		expect((await call("auth.info", { token: laptop.accessToken })).status).toBe(200);
		expect((await refresh(laptop.refreshToken)).status).toBe(200);
		expect((await call("auth.info", { token: phone.accessToken })).status).toBe(200);
	});

	it("revokeSession ends that session only", async () => {
		const laptop = mock.login("alice");
		const phone = mock.login("alice");

		expect(mock.revokeSession(laptop.sessionId)).toBe(true);

		expect((await call("auth.info", { token: laptop.accessToken })).status).toBe(401);
		expect((await refresh(laptop.refreshToken)).status).toBe(400);
		expect((await call("auth.info", { token: phone.accessToken })).status).toBe(200);
	});

	it("logoutEverywhere ends every session and token family of that user, and only that user", async () => {
		const laptop = mock.login("alice");
		const phone = mock.login("alice", { cookies: true });
		const bob = mock.login("bob");

		expect(mock.logoutEverywhere("alice")).toBe(2);

		expect((await call("auth.info", { token: laptop.accessToken })).status).toBe(401);
		expect((await refresh(phone.refreshToken)).status).toBe(400);
		expect((await call("auth.info", { cookie: cookieOf(phone), csrf: phone.csrfToken ?? "" })).status).toBe(401);
		expect((await call("auth.info", { token: bob.accessToken })).status).toBe(200);
	});

	it("switchIdentity locks out the old user's credentials and logs the new user in", async () => {
		const alice = mock.login("alice");

		const bob = mock.switchIdentity("alice", "bob");

		expect((await call("auth.info", { token: alice.accessToken })).status).toBe(401);
		expect((await refresh(alice.refreshToken)).status).toBe(400);
		const asBob = await call("auth.info", { token: bob.accessToken });
		expect(asBob.headers.get(mock.identityHeader)).toBe("bob");
		expect(await asBob.json()).toEqual({ data: { user: { id: "bob", name: "Bob" } } });
	});

	it("after switchIdentity in cookie mode, the old session cookie gets a 401 that clears it", async () => {
		const alice = mock.login("alice", { cookies: true });
		mock.switchIdentity("alice", "bob", { cookies: true });

		const response = await call("auth.info", { method: "GET", cookie: cookieOf(alice) });

		expect(response.status).toBe(401);
		expect(response.headers.getSetCookie()).toContain("sid=; Max-Age=0; Path=/");
	});

	it("auth.login issues tokens over HTTP and a fresh login works after an identity switch", async () => {
		mock.switchIdentity("alice", "bob");
		const response = await fetch(`${api}/auth.login`, { method: "POST", body: JSON.stringify({ user: "bob", device: "tablet" }) });
		const body = await response.json();

		expect(response.status).toBe(200);
		expect(body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresAt: expect.any(Number), user: { id: "bob" } });
		expect((await call("documents.list", { token: body.accessToken })).headers.get("x-user-id")).toBe("bob");
	});

	it("auth.login refuses an unknown user", async () => {
		const response = await fetch(`${api}/auth.login`, { method: "POST", body: JSON.stringify({ user: "mallory" }) });
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ error: "invalid_credentials" });
	});
});

describe("access tokens", () => {
	it("expire with the clock, answering 401 with an invalid_token challenge that says so", async () => {
		vi.useFakeTimers({ toFake: ["Date"] });
		const { accessToken } = mock.login("alice");
		expect((await call("auth.info", { token: accessToken })).status).toBe(200);

		vi.setSystemTime(Date.now() + 60_000);

		const response = await call("auth.info", { token: accessToken });
		expect(response.status).toBe(401);
		expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_token", error_description="The access token expired"');
		expect(await response.json()).toEqual({ error: "authentication_required" });
	});

	it("expireAccessTokens expires current access tokens but leaves refresh working", async () => {
		const { accessToken, refreshToken } = mock.login("alice");

		mock.expireAccessTokens();

		expect((await call("auth.info", { token: accessToken })).status).toBe(401);
		const rotated = await (await refresh(refreshToken)).json();
		expect((await call("auth.info", { token: rotated.access_token })).status).toBe(200);
	});

	it("answers an unknown bearer token with 401 and a bare invalid_token challenge", async () => {
		const response = await call("documents.list", { token: "at_forged" });
		expect(response.status).toBe(401);
		expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
	});

	it("answers a request without credentials with 401 and a Bearer challenge", async () => {
		const response = await call("documents.list");
		expect(response.status).toBe(401);
		expect(response.headers.get("www-authenticate")).toBe("Bearer");
		expect(await response.json()).toEqual({ error: "authentication_required" });
	});
});

describe("protected API", () => {
	it("lists only the caller's documents, honours limit, and names the caller in x-user-id", async () => {
		const { accessToken } = mock.login("bob");

		const response = await call("documents.list", { token: accessToken, body: { limit: 2 } });
		const body = await response.json();

		expect(response.headers.get("x-user-id")).toBe("bob");
		expect(body.user).toEqual({ id: "bob", name: "Bob" });
		expect(body.data).toHaveLength(2);
		expect(body.data.every((document: { ownerId: string }) => document.ownerId === "bob")).toBe(true);
	});

	it("serves the same list at GET documents", async () => {
		const { accessToken } = mock.login("alice");
		const response = await fetch(`${api}/documents?limit=1`, { headers: { authorization: `Bearer ${accessToken}` } });
		expect((await response.json()).data).toEqual([expect.objectContaining({ title: "Welcome", ownerId: "alice" })]);
	});

	it("creates a document that then appears in the list", async () => {
		const { accessToken } = mock.login("alice");

		const created = await call("documents.create", { token: accessToken, body: { title: "Plans" } });
		const list = await (await call("documents.list", { token: accessToken })).json();

		expect(created.status).toBe(200);
		expect(list.data.map((document: { title: string }) => document.title)).toContain("Plans");
	});

	it("rejects documents.create without a title as a validation error", async () => {
		const { accessToken } = mock.login("alice");
		const response = await call("documents.create", { token: accessToken, body: {} });
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({ error: "validation_error", message: expect.any(String) });
	});
});

describe("failNext", () => {
	it("fails the next request with a network error, then answers normally", async () => {
		const { refreshToken } = mock.login("alice");
		mock.failNext("token", "network");

		await expect(refresh(refreshToken)).rejects.toThrow(TypeError);
		expect((await refresh(refreshToken)).status).toBe(200);
	});

	it("answers the next requests with the given status, as many times as asked", async () => {
		const { accessToken } = mock.login("alice");
		mock.failNext("documents.list", 500, 2);

		const statuses = [];
		for (let i = 0; i < 3; i++) statuses.push((await call("documents.list", { token: accessToken })).status);

		expect(statuses).toEqual([500, 500, 200]);
	});

	it("injects the failure before processing: an injected token failure does not consume the refresh token", async () => {
		const { refreshToken } = mock.login("alice");
		mock.failNext("token", 503);

		const failed = await refresh(refreshToken);

		expect(failed.status).toBe(503);
		expect(await failed.json()).toMatchObject({ error: "temporarily_unavailable" });
		expect((await refresh(refreshToken)).status).toBe(200);
	});

	it("times out: no answer until the client aborts", async () => {
		const { accessToken } = mock.login("alice");
		mock.failNext("auth.info", "timeout");

		const pending = call("auth.info", { token: accessToken, signal: AbortSignal.timeout(50) });

		await expect(pending).rejects.toMatchObject({ name: "TimeoutError" });
		await vi.waitFor(() => expect(mock.counters.requests["auth.info"]).toEqual({ 0: 1 }));
	});
});

describe("cookie sessions", () => {
	it("logs out the cookie session when a bearer call carries its sid cookie without the CSRF header (Nextcloud)", async () => {
		const login = mock.login("alice", { cookies: true });

		const leaky = await call("auth.info", { token: login.accessToken, cookie: cookieOf(login) });

		expect(leaky.status).toBe(401);
		expect(leaky.headers.getSetCookie()).toContain("sid=; Max-Age=0; Path=/");
		expect(mock.counters.cookieSessionLogouts).toBe(1);
		expect((await call("auth.info", { method: "GET", cookie: cookieOf(login) })).status).toBe(401);
	});

	it("leaves the cookie session alone when the bearer call sends the matching CSRF header", async () => {
		const login = mock.login("alice", { cookies: true });

		const response = await call("auth.info", { token: login.accessToken, cookie: cookieOf(login), csrf: login.csrfToken ?? "" });

		expect(response.status).toBe(200);
		expect(mock.counters.cookieSessionLogouts).toBe(0);
	});

	it("auth.login in cookie mode sets an HttpOnly sid cookie and a readable CSRF cookie", async () => {
		const response = await fetch(`${api}/auth.login`, { method: "POST", body: JSON.stringify({ user: "alice", mode: "cookie" }) });
		const body = await response.json();

		expect(response.headers.getSetCookie()).toEqual([
			expect.stringMatching(/^sid=ses_\w+; Path=\/; HttpOnly; SameSite=Lax$/),
			`csrfToken=${body.csrfToken}; Path=/; SameSite=Lax`,
		]);
	});

	it("refuses an unsafe cookie request whose x-csrf-token does not match with 403 csrf_mismatch", async () => {
		const login = mock.login("alice", { cookies: true });

		const wrong = await call("documents.list", { cookie: cookieOf(login), csrf: "csrf_wrong" });
		const right = await call("documents.list", { cookie: cookieOf(login), csrf: login.csrfToken ?? "" });

		expect(wrong.status).toBe(403);
		expect(await wrong.json()).toEqual({ error: "csrf_mismatch" });
		expect(right.status).toBe(200);
	});

	it("lets a safe cookie request through without the CSRF header", async () => {
		const login = mock.login("alice", { cookies: true });
		const response = await call("auth.info", { method: "GET", cookie: cookieOf(login) });
		expect(response.headers.get("x-user-id")).toBe("alice");
	});

});

describe("counters", () => {
	it("counts five parallel refreshes with one token as five in flight, one success and four reuses", async () => {
		const { refreshToken } = mock.login("alice");
		mock.setLatency("token", 50);

		const responses = await Promise.all(Array.from({ length: 5 }, () => refresh(refreshToken)));

		expect(responses.map((response) => response.status).sort()).toEqual([200, 400, 400, 400, 400]);
		expect(mock.counters).toMatchObject({ refreshCalls: 5, refreshSuccesses: 1, reuseDetections: 4, maxConcurrentRefreshes: 5 });
	});

	it("sees sequential refreshes as one in flight at a time", async () => {
		let { refreshToken } = mock.login("alice");
		for (let i = 0; i < 3; i++) refreshToken = (await (await refresh(refreshToken)).json()).refresh_token;
		expect(mock.counters).toMatchObject({ refreshCalls: 3, refreshSuccesses: 3, maxConcurrentRefreshes: 1 });
	});

	it("tallies responses per route and status", async () => {
		const { accessToken } = mock.login("alice");
		await call("documents.list", { token: accessToken });
		await call("documents.list");
		await call("documents.list", { token: accessToken });

		expect(mock.counters.requests["documents.list"]).toEqual({ 200: 2, 401: 1 });
		expect(mock.counters.requestsTo("documents.list")).toBe(3);
		expect(mock.counters.requestsTo("token")).toBe(0);
	});

	it("reset forgets sessions, queued failures and counts", async () => {
		const { accessToken } = mock.login("alice");
		await call("auth.info", { token: accessToken });
		mock.failNext("auth.info", 500);

		mock.reset();

		expect(mock.counters.requestsTo("auth.info")).toBe(0);
		expect((await call("auth.info", { token: accessToken })).status).toBe(401);
	});
});
