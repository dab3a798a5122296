// Issue 11: a 401 means what its challenge says, and a dead session need not answer 401.
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import {
	AuthenticationError,
	InsufficientScopeError,
	StepUpRequiredError,
	UseDPoPNonceError,
	answeredFromOutside,
	createClient,
	memoryTokenStore,
	type ClientOptions,
	type StepUpContext,
	type TokenSet,
} from "../../src/index.js";
import { baseUrl, origin } from "../helpers/backend.js";
import { useMswServer } from "../helpers/msw.js";
import { memoryStorage } from "../helpers/storage.js";

const server = useMswServer();

const stepUpHeader = 'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR phr", max_age="5"';

function setup(overrides: Partial<ClientOptions> = {}, tokens: TokenSet = { accessToken: "at-1", refreshToken: "rt-1" }) {
	const store = memoryTokenStore(tokens);
	const refresh = vi.fn(async (): Promise<TokenSet | null> => ({ accessToken: "at-refreshed", refreshToken: "rt-2" }));
	const reauthenticate = vi.fn<NonNullable<ClientOptions["reauthenticate"]>>(() => undefined);
	const client = createClient({
		baseUrl,
		auth: { type: "bearer", store, refresh },
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0 },
		...overrides,
	});
	return { client, store, refresh, reauthenticate };
}

function challenged(header: string, status = 401) {
	return () => new HttpResponse(null, { status, headers: { "www-authenticate": header } });
}

describe("challenges on a 401", () => {
	it("refreshes once for error=\"invalid_token\", as for no challenge", async () => {
		server.use(
			http.get(`${origin}/api/me`, ({ request }) =>
				request.headers.get("authorization") === "Bearer at-refreshed"
					? HttpResponse.json({ ok: true })
					: challenged('Bearer realm="example", error="invalid_token", error_description="The access token expired"')(),
			),
		);
		const { client, refresh, reauthenticate } = setup();
		await expect(client.get("me")).resolves.toEqual({ ok: true });
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("rejects a step-up challenge with StepUpRequiredError without refreshing, reloading or leaving authenticated", async () => {
		server.use(http.get(`${origin}/api/secret`, challenged(stepUpHeader)), http.get(`${origin}/api/me`, () => HttpResponse.json({ ok: true })));
		const { client, refresh, reauthenticate } = setup();
		await client.get("me");
		const error = await client.get("secret").catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StepUpRequiredError);
		expect(error).toMatchObject({ code: "STEP_UP_REQUIRED", status: 401, acrValues: ["myACR", "phr"], maxAge: 5 });
		expect((error as StepUpRequiredError).challenge?.params.error).toBe("insufficient_user_authentication");
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
		await expect(client.get("me")).resolves.toEqual({ ok: true });
	});

	it("shares one stepUp call among concurrent challenges, retries each once with the new token, and leaves other requests alone", async () => {
		const seen: string[] = [];
		server.use(
			http.get(`${origin}/api/secret/:n`, ({ request }) => {
				seen.push(request.headers.get("authorization") ?? "");
				return request.headers.get("authorization") === "Bearer at-acr" ? HttpResponse.json({ ok: "stepped" }) : challenged(stepUpHeader)();
			}),
			http.get(`${origin}/api/plain`, () => HttpResponse.json({ ok: "plain" })),
		);
		let finish!: (tokens: TokenSet) => void;
		const stepUp = vi.fn((_context: StepUpContext) => new Promise<TokenSet>((resolve) => (finish = resolve)));
		const { client, refresh, reauthenticate, store } = setup({ stepUp });
		const secrets = [1, 2, 3, 4, 5].map((n) => client.get(`secret/${n}`));
		await vi.waitFor(() => expect(stepUp).toHaveBeenCalledTimes(1));
		// Other requests go on while the step-up is pending.
		await expect(client.get("plain")).resolves.toEqual({ ok: "plain" });
		expect(stepUp.mock.calls[0]![0]).toMatchObject({ acrValues: ["myACR", "phr"], maxAge: 5 });
		finish({ accessToken: "at-acr", refreshToken: "rt-acr" });
		expect(await Promise.all(secrets)).toEqual(Array(5).fill({ ok: "stepped" }));
		expect(stepUp).toHaveBeenCalledTimes(1);
		expect(seen.filter((value) => value === "Bearer at-acr")).toHaveLength(5);
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(await store.get()).toMatchObject({ accessToken: "at-acr" });
	});

	it("rejects with StepUpRequiredError when the retried request is challenged again", async () => {
		server.use(http.get(`${origin}/api/secret`, challenged(stepUpHeader)));
		const stepUp = vi.fn(async () => ({ accessToken: "at-acr" }));
		const { client } = setup({ stepUp });
		await expect(client.get("secret")).rejects.toBeInstanceOf(StepUpRequiredError);
		expect(stepUp).toHaveBeenCalledTimes(1);
	});

	it("keeps a request waiting when stepUp navigated away (resolved with nothing), until its signal aborts", async () => {
		server.use(http.get(`${origin}/api/secret`, challenged(stepUpHeader)));
		const { client } = setup({ stepUp: async () => undefined });
		const controller = new AbortController();
		const pending = client.get("secret", { signal: controller.signal });
		let settled = false;
		void pending.catch(() => (settled = true));
		await new Promise((resolve) => setTimeout(resolve, 30));
		expect(settled).toBe(false);
		controller.abort();
		await expect(pending).rejects.toMatchObject({ name: "AbortError" });
	});

	it.each([401, 403])("turns insufficient_scope on a %i into InsufficientScopeError carrying the scope, touching nothing", async (status) => {
		server.use(http.get(`${origin}/api/admin`, challenged('Bearer realm="example", error="insufficient_scope", scope="admin:write files:read"', status)));
		const { client, refresh, reauthenticate } = setup();
		const error = await client.get("admin").catch((e: unknown) => e);
		expect(error).toBeInstanceOf(InsufficientScopeError);
		expect(error).toMatchObject({ status, scope: ["admin:write", "files:read"], code: "INSUFFICIENT_SCOPE" });
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("reauthenticating");
	});

	it("turns DPoP use_dpop_nonce into UseDPoPNonceError, never a dead session", async () => {
		server.use(
			http.get(`${origin}/api/x`, challenged('DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"')),
		);
		const { client, refresh, reauthenticate } = setup();
		await expect(client.get("x")).rejects.toBeInstanceOf(UseDPoPNonceError);
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("puts the parsed challenge on the error without token68 or unknown parameters", async () => {
		server.use(http.get(`${origin}/api/x`, challenged('Bearer error="insufficient_scope", scope="a", secret_hint="s3cr3t", Negotiate dG9rZW4=')));
		const { client } = setup();
		const error = (await client.get("x").catch((e: unknown) => e)) as InsufficientScopeError;
		expect(error.challenge).toEqual({ scheme: "bearer", params: { error: "insufficient_scope", scope: "a" } });
		expect(JSON.stringify(error.challenge)).not.toMatch(/s3cr3t|dG9rZW4/);
	});

	it("reads a malformed header as no challenge: the ordinary refresh path", async () => {
		server.use(
			http.get(`${origin}/api/me`, ({ request }) =>
				request.headers.get("authorization") === "Bearer at-refreshed" ? HttpResponse.json({ ok: true }) : challenged('Bearer error="insufficient_scope')(),
			),
		);
		const { client, refresh } = setup();
		await expect(client.get("me")).resolves.toEqual({ ok: true });
		expect(refresh).toHaveBeenCalledTimes(1);
	});
});

describe("dead sessions that don't answer 401", () => {
	it("seed 001's 302 → 200 text/html: one re-authentication for 10 requests in flight, and the HTML reaches no caller", async () => {
		let dead = true;
		server.use(
			http.post(`${origin}/api/documents.list`, () => (dead ? new HttpResponse(null, { status: 302, headers: { location: `${origin}/home` } }) : HttpResponse.json({ data: [] }))),
			http.get(`${origin}/home`, () => new HttpResponse("<!doctype html><title>Home</title>", { headers: { "content-type": "text/html" } })),
		);
		const reauthenticate = vi.fn(async () => {
			dead = false;
		});
		const client = createClient({ baseUrl, auth: { type: "cookie" }, reauthenticate, sessionEnded: answeredFromOutside(), reloadGuard: { storage: memoryStorage(), history: null }, tabs: false });
		const results = await Promise.all(Array.from({ length: 10 }, () => client.post("documents.list", {})));
		expect(results).toEqual(Array(10).fill({ data: [] }));
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledWith("answered-from-outside");
	});

	it("HTML where JSON was asked for is a dead session; without the classifier it is a parse error", async () => {
		server.use(http.get(`${origin}/api/me`, () => new HttpResponse("<html>login</html>", { headers: { "content-type": "text/html; charset=utf-8" } })));
		const plain = createClient({ baseUrl, auth: { type: "cookie" }, reloadGuard: { storage: memoryStorage(), history: null }, tabs: false });
		await expect(plain.get("me")).rejects.toMatchObject({ name: "ResponseParseError" });
		const reauthenticate = vi.fn(() => undefined);
		const client = createClient({ baseUrl, auth: { type: "cookie" }, reauthenticate, sessionEnded: answeredFromOutside(), reloadGuard: { storage: memoryStorage(), history: null }, tabs: false });
		const pending = client.get("me");
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1));
		expect(client.session.getSnapshot()).toMatchObject({ status: "reauthenticating", reason: "answered-from-outside" });
		client.dispose();
		await expect(pending).rejects.toMatchObject({ name: "AbortError" });
	});

	it("a custom classifier sees the parsed body of a 403 user_suspended and signs out under the signOut policy", async () => {
		server.use(http.post(`${origin}/api/documents.info`, () => HttpResponse.json({ ok: false, error: "user_suspended" }, { status: 403 })));
		const onSignedOut = vi.fn();
		const reauthenticate = vi.fn();
		const client = createClient({
			baseUrl,
			auth: { type: "cookie" },
			reauthenticate,
			onSessionEnded: "signOut",
			onSignedOut,
			sessionEnded: (_response, { data }) => ((data as { error?: string } | undefined)?.error === "user_suspended" ? "user-suspended" : false),
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
		});
		const errors = await Promise.all(Array.from({ length: 5 }, () => client.post("documents.info", {}).catch((e: unknown) => e)));
		for (const error of errors) expect(error).toBeInstanceOf(AuthenticationError);
		expect(onSignedOut).toHaveBeenCalledTimes(1);
		expect(onSignedOut).toHaveBeenCalledWith("user-suspended");
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "user-suspended" });
	});

	it("reportSessionEnded takes the once-only path: one reauthenticate however often it is reported", async () => {
		const { client, reauthenticate } = setup();
		client.reportSessionEnded("batch-401");
		client.reportSessionEnded("batch-401");
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledWith("batch-401");
		expect(client.session.getSnapshot().status).toBe("reauthenticating");
	});

	it("probes a network failure for a hidden redirect to a foreign login page", async () => {
		// What a browser sees: the followed redirect fails as a CORS network error; the probe (redirect: "manual") sees it.
		let calls = 0;
		server.use(
			http.get(`${origin}/api/me`, () =>
				++calls === 1 ? HttpResponse.error() : new HttpResponse(null, { status: 302, headers: { location: "https://login.proxy.example/oauth2/start" } }),
			),
		);
		const reauthenticate = vi.fn(() => undefined);
		const client = createClient({ baseUrl, auth: { type: "cookie" }, reauthenticate, sessionEnded: answeredFromOutside(), reloadGuard: { storage: memoryStorage(), history: null }, tabs: false, ky: { retry: 0 } });
		void client.get("me").catch(() => undefined);
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1));
		expect(calls).toBe(2);
		client.dispose();
	});

	it("a plain network failure stays a NetworkError: the probe finds no redirect and nobody is signed out", async () => {
		let calls = 0;
		server.use(http.get(`${origin}/api/me`, () => (++calls === 1 ? HttpResponse.error() : HttpResponse.json({}))));
		const reauthenticate = vi.fn(() => undefined);
		const client = createClient({ baseUrl, auth: { type: "cookie" }, reauthenticate, sessionEnded: answeredFromOutside(), reloadGuard: { storage: memoryStorage(), history: null }, tabs: false, ky: { retry: 0 } });
		await expect(client.get("me")).rejects.toMatchObject({ name: "NetworkError" });
		expect(calls).toBe(2);
		expect(reauthenticate).not.toHaveBeenCalled();
	});
});

describe("the signOut policy", () => {
	it("ends the session once for 10 concurrent 401s: one handler call, no reload, every request rejects, the store is cleared", async () => {
		server.use(
			http.get(`${origin}/api/doc/:n`, () => new HttpResponse(null, { status: 401 })),
			http.post(`${origin}/oauth/token`, () => HttpResponse.json({ error: "invalid_grant" }, { status: 400 })),
		);
		const onSignedOut = vi.fn();
		const { client, store, reauthenticate, refresh } = setup({ onSessionEnded: "signOut", onSignedOut });
		refresh.mockImplementation(async () => null);
		const errors = await Promise.all(Array.from({ length: 10 }, (_, n) => client.get(`doc/${n}`).catch((e: unknown) => e)));
		for (const error of errors) expect(error).toBeInstanceOf(AuthenticationError);
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(onSignedOut).toHaveBeenCalledTimes(1);
		expect(onSignedOut).toHaveBeenCalledWith("refresh-failed");
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(await store.get()).toBeNull();
		await expect(client.get("doc/11")).rejects.toBeInstanceOf(AuthenticationError);
		expect(onSignedOut).toHaveBeenCalledTimes(1);
	});

	it("does not call onSignedOut for the app's own logout()", async () => {
		const onSignedOut = vi.fn();
		const { client } = setup({ onSessionEnded: "signOut", onSignedOut });
		await client.logout();
		expect(onSignedOut).not.toHaveBeenCalled();
	});
});

describe("a policy per reason", () => {
	it("signs out for one reason and re-authenticates for another, without spending a guard attempt on the sign-out", async () => {
		server.use(
			http.post(`${origin}/api/suspended`, () => HttpResponse.json({ ok: false, error: "user_suspended" }, { status: 403 })),
			http.post(`${origin}/api/stale`, () => new HttpResponse(null, { status: 401 })),
		);
		const guardStorage = memoryStorage();
		const reauthenticate = vi.fn(() => undefined);
		const onSignedOut = vi.fn();
		const statuses: string[] = [];
		const make = () =>
			createClient({
				baseUrl,
				auth: { type: "cookie" },
				reauthenticate,
				onSignedOut,
				onSessionEnded: (reason) => (reason === "user-suspended" ? "signOut" : "reauthenticate"),
				sessionEnded: (_response, { data }) => ((data as { error?: string } | undefined)?.error === "user_suspended" ? "user-suspended" : false),
				reloadGuard: { storage: guardStorage, history: null },
				tabs: false,
			});
		const suspended = make();
		suspended.session.subscribe(({ status }) => statuses.push(status));
		await expect(suspended.post("suspended", {})).rejects.toBeInstanceOf(AuthenticationError);
		expect(statuses).toEqual(["signedOut"]);
		expect(onSignedOut).toHaveBeenCalledWith("user-suspended");
		expect(guardStorage.data.size).toBe(0);
		const stale = make();
		void stale.post("stale", {}).catch(() => undefined);
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledWith("unauthorized"));
		stale.dispose();
	});

	it("hands network failures to errorFor too, so an app can raise its own OfflineError", async () => {
		class OfflineError extends Error {}
		server.use(http.get(`${origin}/api/down`, () => HttpResponse.error()));
		const client = createClient({ baseUrl, auth: { type: "cookie" }, tabs: false, ky: { retry: 0 }, errorFor: (error) => (error.code === "NETWORK_ERROR" ? new OfflineError() : undefined) });
		await expect(client.get("down")).rejects.toBeInstanceOf(OfflineError);
	});
});

describe("failures while the session is being re-established", () => {
	it("keep a GET waiting instead of reaching the caller, and replay it after an in-place sign-in", async () => {
		let phase: "dead" | "down" | "back" = "dead";
		let failB!: () => void;
		const bFails = new Promise<void>((resolve) => (failB = resolve));
		let bCalls = 0;
		server.use(
			http.get(`${origin}/api/a`, () => (phase === "back" ? HttpResponse.json({ ok: "a" }) : new HttpResponse(null, { status: 401 }))),
			http.get(`${origin}/api/b`, async () => {
				if (++bCalls === 1) {
					// In flight when the session dies; fails (the proxy's login page, a CORS error) during the episode.
					await bFails;
					return HttpResponse.error();
				}
				return HttpResponse.json({ ok: "b" });
			}),
		);
		let finish!: () => void;
		const reauthenticate = vi.fn(() => {
			phase = "down";
			return new Promise<void>((resolve) => (finish = resolve));
		});
		const client = createClient({ baseUrl, auth: { type: "cookie" }, reauthenticate, reloadGuard: { storage: memoryStorage(), history: null }, tabs: false, ky: { retry: 0 } });
		let bSettled = false;
		const b = client.get("b").finally(() => (bSettled = true));
		await vi.waitFor(() => expect(bCalls).toBe(1));
		const a = client.get("a");
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1));
		failB();
		await new Promise((resolve) => setTimeout(resolve, 30));
		expect(bSettled).toBe(false);
		phase = "back";
		finish();
		await expect(a).resolves.toEqual({ ok: "a" });
		await expect(b).resolves.toEqual({ ok: "b" });
		expect(bCalls).toBe(2);
	});

	it("settle a POST that failed during the episode with its error only once the session is back, never re-sent", async () => {
		let failPost!: () => void;
		const postFails = new Promise<void>((resolve) => (failPost = resolve));
		let posts = 0;
		server.use(
			http.get(`${origin}/api/a`, () => new HttpResponse(null, { status: 401 })),
			http.post(`${origin}/api/save`, async () => {
				posts++;
				await postFails;
				return HttpResponse.error();
			}),
		);
		let finish!: () => void;
		const reauthenticate = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
		const client = createClient({ baseUrl, auth: { type: "cookie" }, reauthenticate, reloadGuard: { storage: memoryStorage(), history: null }, tabs: false, ky: { retry: 0 } });
		let settled = false;
		const save = client.post("save", { x: 1 }).catch((error: unknown) => error).finally(() => (settled = true));
		await vi.waitFor(() => expect(posts).toBe(1));
		void client.get("a").catch(() => undefined);
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1));
		failPost();
		await new Promise((resolve) => setTimeout(resolve, 30));
		expect(settled).toBe(false);
		finish();
		expect(await save).toMatchObject({ name: "NetworkError" });
		expect(posts).toBe(1);
	});
});
