// The session's transitions driven through the public API, against a fake fetch (`ky: { fetch }`) whose answers the tests release by hand.
// The new error classes are read through the namespace (`tf.NotReplayedError`) so this file still loads on the
// pre-fix code, where those exports do not exist.
import { describe, expect, it, vi } from "vitest";
import * as tf from "../../src/index.js";
import { AuthenticationError, createClient, memoryTokenStore, type Reauthenticate, type TokenSet, type TokenStore } from "../../src/index.js";
import { settle, track } from "../helpers/async.js";
import { deferred, fakeServer, json, origin, unauthorized, useFakeServerClients, type Deferred, type Seen } from "../helpers/headerRecordingFetch.js";

const client = useFakeServerClients();

const byUser: Record<string, string> = { "Bearer A": "alice", "Bearer A2": "alice", "Bearer B": "bob" };

describe("logout() during a slow store.set of refreshed tokens", () => {
	it("should leave the store empty and signed out once logout() resolves, and never send the refreshed token", async () => {
		const server = fakeServer((_, seen) => (seen.authorization === "Bearer B" ? json({ ok: true }) : unauthorized()));
		// A slow store (IndexedDB-like): a write lands only when its transaction completes.
		let tokens: TokenSet | null = { accessToken: "A", refreshToken: "rA" };
		const writes: Deferred<void>[] = [];
		const store: TokenStore = {
			get: () => tokens,
			set: (next) => {
				const write = deferred();
				writes.push(write);
				return write.promise.then(() => void (tokens = { ...next }));
			},
			clear: () => void (tokens = null),
		};
		const refresh = vi.fn(async () => ({ accessToken: "B", refreshToken: "rB" }));
		const reauthenticate = vi.fn<Reauthenticate>(() => undefined);
		const c = client(server.fetch, { auth: { type: "bearer", store, refresh }, reauthenticate });

		const request = track(c.get("x"));
		await settle();
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(writes).toHaveLength(1); // the refreshed tokens are being written

		const loggingOut = c.logout();
		await settle();
		writes.forEach((write) => write.resolve()); // the slow write of B completes after logout() started
		await loggingOut;

		expect(await store.get()).toBeNull();
		expect(c.session.getSnapshot().status).toBe("signedOut");
		await settle();
		expect(await store.get()).toBeNull();
		expect(c.session.getSnapshot().status).toBe("signedOut");
		expect(request.status).toBe("rejected");
		expect(request.error).toBeInstanceOf(AuthenticationError);
		await expect(c.get("y")).rejects.toBeInstanceOf(AuthenticationError);
		expect(server.seen.map((s) => s.authorization)).not.toContain("Bearer B");
	});
});

describe("a refresh of A that resolves after B signed in", () => {
	it("should keep and use B's tokens when A's hung refresh resolves after signIn(B)", async () => {
		const server = fakeServer((_, seen) => (seen.authorization === "Bearer A2" || seen.authorization === "Bearer B" ? json({ ok: true }) : unauthorized()));
		const store = memoryTokenStore({ accessToken: "A", refreshToken: "rA" });
		const refreshOfA = deferred<TokenSet>();
		const refresh = vi.fn(() => refreshOfA.promise);
		const c = client(server.fetch, { auth: { type: "bearer", store, refresh }, reauthenticate: vi.fn<Reauthenticate>(() => undefined) });

		const request = track(c.get("x"));
		await settle();
		expect(refresh).toHaveBeenCalledTimes(1);

		await c.signIn({ accessToken: "B", refreshToken: "rB" });
		const sentBeforeSignIn = server.seen.length;
		refreshOfA.resolve({ accessToken: "A2", refreshToken: "rA2" });
		await settle();

		expect(await store.get()).toMatchObject({ accessToken: "B", refreshToken: "rB" });
		await c.get("y");
		expect(await store.get()).toMatchObject({ accessToken: "B", refreshToken: "rB" });
		const afterSignIn = server.seen.slice(sentBeforeSignIn).map((s) => s.authorization);
		expect(afterSignIn.length).toBeGreaterThan(0);
		expect(afterSignIn.every((authorization) => authorization === "Bearer B")).toBe(true);
		expect(server.seen.map((s) => s.authorization)).not.toContain("Bearer A2");
		expect(request.status).not.toBe("pending");
		expect(c.session.getSnapshot().status).toBe("authenticated");
	});

	it("should keep and use B's tokens when A's hung refresh resolves after an in-place reauthenticate returned B", async () => {
		// The in-place sign-in is started by a response of another user (identity-changed) while A's refresh hangs.
		let aDead = false;
		const who = deferred();
		const server = fakeServer(async (_, seen) => {
			if (seen.authorization === "Bearer A" && seen.path === "/api/who") {
				await who.promise;
				return json({ user: "bob" }, { headers: { "x-user-id": "bob" } });
			}
			if (seen.authorization === "Bearer A" && aDead) return unauthorized();
			const user = byUser[seen.authorization ?? ""];
			return user ? json({ user }, { headers: { "x-user-id": user } }) : unauthorized();
		});
		const store = memoryTokenStore({ accessToken: "A", refreshToken: "rA" });
		const refreshOfA = deferred<TokenSet>();
		const refresh = vi.fn(() => refreshOfA.promise);
		const signInAsB = deferred<TokenSet>();
		const reauthenticate = vi.fn<Reauthenticate>(() => undefined).mockImplementationOnce(() => signInAsB.promise);
		const c = client(server.fetch, {
			auth: { type: "bearer", store, refresh },
			reauthenticate,
			identity: (response) => response.headers.get("x-user-id"),
		});

		await c.get("me");
		expect(c.session.getSnapshot().identity).toBe("alice");
		const whoRequest = track(c.get("who")); // sent with A, answered later
		await settle();
		aDead = true;
		const request = track(c.get("x")); // 401 → refresh of A, which hangs
		await settle();
		expect(refresh).toHaveBeenCalledTimes(1);

		who.resolve(); // bob's answer → identity-changed → in-place reauthenticate
		await settle();
		expect(reauthenticate).toHaveBeenCalledExactlyOnceWith("identity-changed");
		signInAsB.resolve({ accessToken: "B", refreshToken: "rB" });
		await settle();
		const sentAfterSignIn = server.seen.length;
		refreshOfA.resolve({ accessToken: "A2", refreshToken: "rA2" });
		await settle();

		expect(await store.get()).toMatchObject({ accessToken: "B", refreshToken: "rB" });
		await c.get("y");
		expect(await store.get()).toMatchObject({ accessToken: "B", refreshToken: "rB" });
		expect(server.seen.slice(sentAfterSignIn).every((s) => s.authorization === "Bearer B")).toBe(true);
		expect(server.seen.map((s) => s.authorization)).not.toContain("Bearer A2");
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(request.status).not.toBe("pending");
		expect(whoRequest.status).not.toBe("pending");
	});
});

/**
 * alice's token A pins identity "alice"; a slow request goes out with A; the session then switches in place to
 * bob's token B (signIn, or reauthenticate resolving B after A died); the slow answer (alice's data) arrives
 * before or after B's first answer.
 */
async function identitySwitch(options: { via: "signIn" | "reauthenticate"; slowArrives: "before B" | "after B"; method: "GET" | "POST" }) {
	let aDead = false;
	const slow = deferred();
	const bGate = deferred();
	if (options.slowArrives === "after B") bGate.resolve();
	const slowSends: Seen[] = [];
	const server = fakeServer(async (_, seen) => {
		if (seen.path === "/api/slow") slowSends.push(seen);
		if (seen.authorization === "Bearer A" && seen.path === "/api/slow") {
			await slow.promise; // accepted with A when it arrived; alice's answer comes late
			return json({ user: "alice" }, { headers: { "x-user-id": "alice" } });
		}
		if (seen.authorization === "Bearer A" && aDead) return unauthorized();
		if (seen.authorization === "Bearer B") await bGate.promise;
		const user = byUser[seen.authorization ?? ""];
		return user ? json({ user }, { headers: { "x-user-id": user } }) : unauthorized();
	});
	const store = memoryTokenStore({ accessToken: "A" });
	const signInAsB = deferred<TokenSet>();
	const reauthenticate = vi.fn<Reauthenticate>(() => undefined).mockImplementationOnce(() => signInAsB.promise);
	const c = client(server.fetch, { auth: { type: "bearer", store }, reauthenticate, identity: (response) => response.headers.get("x-user-id") });

	await c.get("me");
	expect(c.session.getSnapshot().identity).toBe("alice");
	const slowRequest = track(options.method === "GET" ? c.get<{ user: string }>("slow") : c.post<{ user: string }>("slow", { title: "t" }));
	await settle();
	expect(slowSends).toHaveLength(1);

	let other: ReturnType<typeof track<{ user: string }>> | undefined;
	if (options.via === "signIn") {
		await c.signIn({ accessToken: "B" });
	} else {
		aDead = true;
		other = track(c.get<{ user: string }>("x"));
		await settle();
		expect(reauthenticate).toHaveBeenCalledExactlyOnceWith("unauthorized");
		signInAsB.resolve({ accessToken: "B" });
	}
	await settle();
	if (options.slowArrives === "after B") {
		expect((await c.get<{ user: string }>("me")).user).toBe("bob");
		expect(c.session.getSnapshot().identity).toBe("bob");
	}
	slow.resolve();
	await settle();
	expect(c.session.getSnapshot().identity).not.toBe("alice"); // A's late answer does not pin A
	bGate.resolve();
	await settle();
	return { c, server, slowRequest, slowSends, other, reauthenticate };
}

const switches = [
	{ via: "reauthenticate", slowArrives: "before B" },
	{ via: "reauthenticate", slowArrives: "after B" },
	{ via: "signIn", slowArrives: "before B" },
	{ via: "signIn", slowArrives: "after B" },
] as const;

describe("with identity, a request sent with A finishing after an in-place sign-in as B", () => {
	it.each(switches)("should not deliver A's data, retry the GET with B, not pin A, and not re-authenticate again (via $via, A's answer arrives $slowArrives answered)", async ({ via, slowArrives }) => {
		const { c, server, slowRequest, slowSends, other, reauthenticate } = await identitySwitch({ via, slowArrives, method: "GET" });
		const callsAfterSwitch = via === "reauthenticate" ? 1 : 0;

		expect(slowRequest.status).toBe("fulfilled");
		expect(slowRequest.value).toMatchObject({ user: "bob" }); // alice's data never reaches the caller
		expect(slowSends.map((s) => s.authorization)).toEqual(["Bearer A", "Bearer B"]);
		if (other) expect(other.value).toMatchObject({ user: "bob" });
		expect(c.session.getSnapshot()).toMatchObject({ status: "authenticated", identity: "bob" });
		expect(reauthenticate).toHaveBeenCalledTimes(callsAfterSwitch);

		expect(await c.get("after")).toMatchObject({ user: "bob" });
		await settle();
		expect(reauthenticate).toHaveBeenCalledTimes(callsAfterSwitch);
		expect(c.session.getSnapshot()).toMatchObject({ status: "authenticated", identity: "bob" });
		expect(server.seen.at(-1)?.authorization).toBe("Bearer B");
	});
});

describe("a POST whose 200 was withheld is never sent again", () => {
	it.each(switches)("should send a POST of an older session once and reject it with NotReplayedError (via $via, A's answer arrives $slowArrives answered)", async ({ via, slowArrives }) => {
		const { c, slowRequest, slowSends, reauthenticate } = await identitySwitch({ via, slowArrives, method: "POST" });

		expect(slowSends).toHaveLength(1);
		expect(slowRequest.status).toBe("rejected");
		expect(slowRequest.error).toMatchObject({ code: "NOT_REPLAYED" });
		expect(slowRequest.error).toBeInstanceOf(tf.ApiError);
		expect(slowRequest.error).toBeInstanceOf(tf.NotReplayedError);
		expect(c.session.getSnapshot()).toMatchObject({ status: "authenticated" });
		expect(reauthenticate).toHaveBeenCalledTimes(via === "reauthenticate" ? 1 : 0);
		await settle();
		expect(slowSends).toHaveLength(1);
	});

	it("should not re-send a POST answered for another user, and reject it with NotReplayedError only once the session settled", async () => {
		let postsSeen = 0;
		const server = fakeServer((_, seen) => {
			if (seen.method === "POST" && seen.path === "/api/documents.create") {
				postsSeen++;
				// The server-side session now belongs to bob (another tab signed in with a shared cookie, say).
				return json({ id: "doc-1", owner: "bob" }, { headers: { "x-user-id": "bob" } });
			}
			const user = byUser[seen.authorization ?? ""];
			return user ? json({ user }, { headers: { "x-user-id": user } }) : unauthorized();
		});
		const signInAsB = deferred<TokenSet>();
		const reauthenticate = vi.fn<Reauthenticate>(() => undefined).mockImplementationOnce(() => signInAsB.promise);
		const store = memoryTokenStore({ accessToken: "A" });
		const c = client(server.fetch, { auth: { type: "bearer", store }, reauthenticate, identity: (response) => response.headers.get("x-user-id") });
		await c.get("me");

		const post = track(c.post("documents.create", { title: "x" }));
		await settle();
		expect(reauthenticate).toHaveBeenCalledExactlyOnceWith("identity-changed");
		expect(postsSeen).toBe(1);
		expect(post.status).toBe("pending"); // not before the session has settled

		signInAsB.resolve({ accessToken: "B" });
		await settle();
		expect(postsSeen).toBe(1);
		expect(post.status).toBe("rejected");
		expect(post.error).toMatchObject({ code: "NOT_REPLAYED" });
		expect(post.error).toBeInstanceOf(tf.NotReplayedError);
		expect(c.session.getSnapshot().status).toBe("authenticated");
	});
});

describe("a credential that cannot be a header value", () => {
	const secret = "s3cr3t-credential";
	const values = [
		["CR LF", `${secret}\r\nX-Injected: 1`],
		["LF", `${secret}\nX-Injected: 1`],
		["NUL", `${secret}\0tail`],
		["non-Latin-1", `${secret}\u20ac`],
	] as const;

	function expectSanitized(error: unknown, value: string) {
		expect(error).toMatchObject({ code: "INVALID_CREDENTIAL" });
		expect(error).toBeInstanceOf(tf.ApiError);
		expect(error).toBeInstanceOf(tf.InvalidCredentialError);
		const { message, stack } = error as Error;
		for (const text of [message, String(error), JSON.stringify(error), stack ?? ""]) {
			expect(text).not.toContain(value);
			expect(text).not.toContain(secret);
		}
	}

	it.each(values)("should reject with InvalidCredentialError for an access token with %s, send nothing and not leak it", async (_, value) => {
		const server = fakeServer(() => json({ ok: true }));
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: value }) } });
		const error = await c.get("me").catch((e: unknown) => e);
		expect(server.seen).toHaveLength(0);
		expectSanitized(error, value);
	});

	it.each(values)("should reject with InvalidCredentialError for a CSRF value with %s, send nothing and not leak it", async (_, value) => {
		const server = fakeServer(() => json({ ok: true }));
		const c = client(server.fetch, { auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: () => value } } });
		const error = await c.post("documents.create", { title: "x" }).catch((e: unknown) => e);
		expect(server.seen).toHaveLength(0);
		expectSanitized(error, value);
	});
});

describe("a custom TokenStore.get returning something that is not a token set", () => {
	const junk: [string, unknown][] = [
		["{}", {}],
		['"str"', "str"],
		["[]", []],
		["{ accessToken: 42 }", { accessToken: 42 }],
		["a promise of {}", Promise.resolve({})],
	];
	const cases = junk.flatMap(([label, value]) => (["with refresh", "without refresh"] as const).map((mode) => ({ label, value, mode })));

	it.each(cases)("should treat $label as no tokens ($mode): sent without Authorization, no TypeError", async ({ value, mode }) => {
		const server = fakeServer(() => json({ ok: true }));
		const store: TokenStore = { get: () => value as TokenSet, set: () => {}, clear: () => {} };
		const refresh = vi.fn(async () => ({ accessToken: "fresh" }));
		const c = client(server.fetch, { auth: mode === "with refresh" ? { type: "bearer", store, refresh } : { type: "bearer", store } });
		await expect(c.get("public")).resolves.toEqual({ ok: true });
		expect(server.seen).toHaveLength(1);
		expect(server.seen[0]?.authorization).toBeNull();
		expect(refresh).not.toHaveBeenCalled();
	});
});

describe("a client clock 2 h ahead of the server", () => {
	const realNow = Date.now;
	const hour = 3_600_000;
	const jwt = (claims: Record<string, unknown>) => {
		const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
		return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.signature`;
	};
	/** A JWT with only `exp`, one hour ahead by the server's (real) clock. */
	const serverToken = () => jwt({ exp: Math.floor(realNow() / 1000) + 3_600 });
	const expOf = (authorization: string | null) => {
		const payload = authorization?.replace(/^Bearer /, "").split(".")[1];
		return payload ? (JSON.parse(Buffer.from(payload, "base64url").toString()) as { exp: number }).exp * 1000 : 0;
	};
	/** Accepts a JWT its own (real) clock says is valid, and always sends its Date header. */
	const apiServer = () =>
		fakeServer((_, seen) => {
			const headers = { date: new Date(realNow()).toUTCString() };
			return expOf(seen.authorization) > realNow() ? json({ ok: true }, { headers }) : json({ error: "invalid_token" }, { status: 401, headers });
		});

	it("should refresh at most once over 10 sequential requests", async () => {
		vi.spyOn(Date, "now").mockImplementation(() => realNow() + 2 * hour);
		const server = apiServer();
		let n = 0;
		const refresh = vi.fn(async () => ({ accessToken: serverToken(), refreshToken: `r${++n}` }));
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: serverToken(), refreshToken: "r0" }), refresh } });
		for (let i = 0; i < 10; i++) await expect(c.get(`doc/${i}`)).resolves.toEqual({ ok: true });
		expect(refresh.mock.calls.length).toBeLessThanOrEqual(1);
	});

	it("should keep using a token the server still accepts while the token endpoint is down", async () => {
		vi.spyOn(Date, "now").mockImplementation(() => realNow() + 2 * hour);
		const server = apiServer();
		const refresh = vi.fn(async (): Promise<TokenSet> => {
			throw new TypeError("fetch failed");
		});
		const c = client(server.fetch, {
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: serverToken(), refreshToken: "r0" }), refresh, refreshRetry: { limit: 0, delayMs: 1 } },
		});
		for (let i = 0; i < 5; i++) await expect(c.get(`doc/${i}`)).resolves.toEqual({ ok: true });
		expect(server.seen).toHaveLength(5);
		expect(c.session.getSnapshot().status).not.toBe("signedOut");
	});
});

describe("no `location` (Node)", () => {
	const deadServer = () => fakeServer(() => unauthorized());

	it.each([
		["reloadGuard { storage: null, history: null }", { storage: null, history: null }],
		["the default reloadGuard", undefined],
	] as const)("should call reauthenticate on the first unrecoverable 401 with %s", async (_, reloadGuard) => {
		expect(globalThis.location).toBeUndefined();
		const server = deadServer();
		const reauthenticate = vi.fn<Reauthenticate>(() => undefined);
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "A" }) }, reauthenticate, ...(reloadGuard ? { reloadGuard } : { reloadGuard: {} }) });
		const request = track(c.get("x"));
		await settle();
		expect(reauthenticate).toHaveBeenCalledExactlyOnceWith("unauthorized");
		expect(c.session.getSnapshot().status).toBe("reauthenticating");
		expect(request.status).toBe("pending");
	});

	it("should count attempts in memory and sign out beyond maxAttempts", async () => {
		const server = deadServer();
		let n = 0;
		const reauthenticate = vi.fn<Reauthenticate>(async () => ({ accessToken: `dead-${++n}` }));
		const c = client(server.fetch, {
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "A" }) },
			reauthenticate,
			reloadGuard: { storage: null, history: null, maxAttempts: 2 },
		});
		const request = track(c.get("x"));
		await settle(60);
		expect(reauthenticate).toHaveBeenCalledTimes(2);
		expect(c.session.getSnapshot().status).toBe("signedOut");
		expect(request.status).toBe("rejected");
		expect(request.error).toBeInstanceOf(AuthenticationError);
	});

	// Not a regression test (the old code already does this): the boundary of the fix above.
	it("should still sign out without calling reauthenticate where location exists and nothing can persist the count", async () => {
		const reload = vi.fn();
		vi.stubGlobal("location", { href: `${origin}/`, origin, reload });
		const server = deadServer();
		const reauthenticate = vi.fn<Reauthenticate>(() => undefined);
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "A" }) }, reauthenticate, reloadGuard: { storage: null, history: null } });
		await expect(c.get("x")).rejects.toBeInstanceOf(AuthenticationError);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(reload).not.toHaveBeenCalled();
		expect(c.session.getSnapshot().status).toBe("signedOut");
	});
});

describe("a rejected refresh of an older session", () => {
	it("does not re-authenticate the session that replaced it", async () => {
		const create = createClient;
		const memory = memoryTokenStore;
		let rejectRefresh!: () => void;
		const refresh = vi.fn(() => new Promise<null>((resolve) => (rejectRefresh = () => resolve(null))));
		const reauthenticate = vi.fn(() => undefined);
		const seen: string[] = [];
		const fetch = async (request: Request) => {
			const authorization = request.headers.get("authorization") ?? "";
			seen.push(authorization);
			return authorization === "Bearer B" ? Response.json({ ok: true }) : new Response(null, { status: 401 });
		};
		const client = create({
			baseUrl: "https://app.example/api/",
			auth: { type: "bearer", store: memory({ accessToken: "A", refreshToken: "rA" }), refresh },
			reauthenticate,
			reloadGuard: { storage: null, history: null },
			tabs: false,
			ky: { fetch: fetch as typeof globalThis.fetch, retry: 0 },
		});
		const first = client.get("me");
		await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
		await client.signIn({ accessToken: "B", refreshToken: "rB" }, "bob");
		rejectRefresh();
		await expect(first).resolves.toEqual({ ok: true });
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});
});
