/**
 * Issue 12 (A): `client.fetch` is the standard `fetch(input, init)` and keeps every tokenflight guarantee, so it can be
 * handed unchanged to libraries that take a `fetch`: fetch-retry (Outline's ApiClient), openapi-fetch, ofetch and
 * graphql-request.
 */
import fetchRetry from "fetch-retry";
import { ClientError, GraphQLClient, gql } from "graphql-request";
import { http, HttpResponse, delay } from "msw";
import { FetchError, ofetch } from "ofetch";
import createOpenApiClient, { type Middleware } from "openapi-fetch";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client, type ClientOptions, type RefreshFunction, type TokenSet } from "../../src/index.js";
import { baseUrl, origin, settle, track } from "../helpers/backend.js";
import { formFields } from "../helpers/fakeFetch.js";
import { useMswServer } from "../helpers/msw.js";
import { memoryStorage } from "../helpers/storage.js";

const server = useMswServer();

const foreignOrigin = "https://elsewhere.example";
const trustedOrigin = "https://files.example";

type Seen = {
	method: string;
	url: string;
	authorization: string | null;
	contentType: string | null;
	body: string;
	form: Record<string, string> | undefined;
};

type Echo = Omit<Seen, "url"> & { path: string };

/**
 * A small API: it accepts exactly the access tokens it issued, rotates refresh tokens, and echoes what it received.
 * `/api/status/NNN` answers NNN to a valid token; `/api/graphql` answers GraphQL; other origins echo without checks.
 */
function createApi(options: { refreshDelayMs?: number } = {}) {
	let counter = 0;
	const valid = new Set<string>();
	const live = new Set<string>();
	const seen: Seen[] = [];

	function issue(): TokenSet {
		counter++;
		const tokens = { accessToken: `at-${counter}`, refreshToken: `rt-${counter}`, expiresAt: Date.now() + 3_600_000 };
		valid.add(tokens.accessToken);
		live.add(tokens.refreshToken);
		return tokens;
	}

	const refresh = vi.fn<RefreshFunction>(async ({ refreshToken }) => {
		if (options.refreshDelayMs) await new Promise((resolve) => setTimeout(resolve, options.refreshDelayMs));
		if (refreshToken === undefined || !live.has(refreshToken)) throw Object.assign(new Error("invalid_grant"), { status: 400 });
		live.delete(refreshToken);
		return issue();
	});

	async function record(request: Request): Promise<Seen> {
		const contentType = request.headers.get("content-type");
		const form = await formFields(request);
		const entry: Seen = {
			method: request.method,
			url: request.url,
			authorization: request.headers.get("authorization"),
			contentType,
			body: await request.text(),
			form,
		};
		seen.push(entry);
		return entry;
	}

	const echo = (entry: Seen, init?: ResponseInit) => {
		const { url, ...rest } = entry;
		return HttpResponse.json({ ...rest, path: new URL(url).pathname } satisfies Echo, init);
	};

	server.use(
		http.all(`${origin}/api/*`, async ({ request }) => {
			const entry = await record(request);
			const token = entry.authorization?.replace(/^Bearer /, "");
			if (!token || !valid.has(token)) {
				return HttpResponse.json(
					{ error: "authentication_required", message: "Sign in again" },
					{ status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } },
				);
			}
			await delay(1);
			const { pathname } = new URL(request.url);
			const status = /\/status\/(\d{3})$/.exec(pathname)?.[1];
			if (status) return HttpResponse.json({ message: `answered ${status}` }, { status: Number(status) });
			if (pathname === "/api/graphql") {
				const { query, variables } = JSON.parse(entry.body) as { query: string; variables?: Record<string, unknown> };
				return HttpResponse.json({ data: { document: { id: variables?.id, title: `Doc ${String(variables?.id)}`, by: token, query: query.includes("document") } } });
			}
			return echo(entry);
		}),
		http.all(`${foreignOrigin}/*`, async ({ request }) => echo(await record(request))),
		http.all(`${trustedOrigin}/*`, async ({ request }) => echo(await record(request))),
	);

	return {
		issue,
		refresh,
		seen,
		/** Every access token issued so far stops working. */
		expireAll: () => valid.clear(),
		revokeRefreshTokens: () => live.clear(),
	};
}

type Api = ReturnType<typeof createApi>;

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

/** A bearer client on the API. By default its session is dead on the server but its refresh token works. */
function setup(options: { expired?: boolean; refreshDelayMs?: number; revoked?: boolean } & Partial<ClientOptions> = {}) {
	const { expired = false, refreshDelayMs = 10, revoked = false, ...overrides } = options;
	const api = createApi({ refreshDelayMs });
	const tokens = api.issue();
	if (expired) api.expireAll();
	if (revoked) api.revokeRefreshTokens();
	const reauthenticate = overrides.reauthenticate ?? vi.fn<NonNullable<ClientOptions["reauthenticate"]>>(() => undefined);
	const client = createClient({
		baseUrl,
		auth: { type: "bearer", store: memoryTokenStore(tokens), refresh: api.refresh, refreshRetry: { limit: 0, delayMs: 1 } },
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		trustedOrigins: [trustedOrigin],
		ky: { retry: 0 },
		...overrides,
	});
	clients.push(client);
	return { api, client, tokens, reauthenticate };
}

/** A session that is dead for good: the token and the refresh token are both rejected, and signing in again fails. */
function signedOutSetup(overrides: Partial<ClientOptions> = {}) {
	const reauthenticate = vi.fn(() => Promise.reject(new Error("the user closed the sign-in popup")));
	const onSignedOut = vi.fn();
	return { ...setup({ expired: true, revoked: true, reauthenticate, onSignedOut, ...overrides }), onSignedOut };
}

const json = <T = Echo>(response: Response) => response.json() as Promise<T>;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const newTokenRequests = (api: Api, token: string) => api.seen.filter((s) => s.authorization === `Bearer ${token}`);

describe("client.fetch: the standard fetch signature", () => {
	it("takes a string, a URL or a Request, with or without init, and resolves a Response", async () => {
		const { client } = setup();
		const fetchLike: typeof fetch = client.fetch;
		const answers = await Promise.all([
			fetchLike(`${origin}/api/a`),
			fetchLike(new URL(`${origin}/api/b`)),
			fetchLike(new Request(`${origin}/api/c`)),
			fetchLike(`${origin}/api/d`, { method: "DELETE" }),
			fetchLike("/api/e"),
		]);
		for (const response of answers) expect(response).toBeInstanceOf(Response);
		const bodies = await Promise.all(answers.map((r) => json(r)));
		expect(bodies.map((b) => [b.method, b.path, b.authorization])).toEqual([
			["GET", "/api/a", "Bearer at-1"],
			["GET", "/api/b", "Bearer at-1"],
			["GET", "/api/c", "Bearer at-1"],
			["DELETE", "/api/d", "Bearer at-1"],
			["GET", "/api/e", "Bearer at-1"],
		]);
	});

	it("keeps a Request's method, headers and body, and lets init override them", async () => {
		const { client, api } = setup();
		const request = new Request(`${origin}/api/x`, { method: "POST", headers: { "x-trace": "from-request", "content-type": "text/csv" }, body: "a,b" });
		expect(await json(await client.fetch(request))).toMatchObject({ method: "POST", body: "a,b", contentType: "text/csv" });
		// Only the method and body are compared here: msw's Node interceptor records a Request's headers and its init's
		// headers together (its raw-header bookkeeping), so an init that replaces headers shows both under msw.
		const overridden = new Request(`${origin}/api/y`, { method: "POST", body: "one" });
		expect(await json(await client.fetch(overridden, { method: "PUT", body: "two" }))).toMatchObject({ method: "PUT", body: "two" });
		expect(api.seen.map((s) => s.authorization)).toEqual(["Bearer at-1", "Bearer at-1"]);
	});
});

describe("client.fetch: credentials only to trusted origins", () => {
	it("sends the bearer token to the base URL's origin and to trustedOrigins", async () => {
		const { client, api } = setup();
		await client.fetch(`${origin}/api/mine`);
		await client.fetch(`${trustedOrigin}/upload`);
		expect(api.seen.map((s) => s.authorization)).toEqual(["Bearer at-1", "Bearer at-1"]);
	});

	it("sends no Authorization to a foreign URL, given as a string, a URL or a Request", async () => {
		const { client, api } = setup();
		await client.fetch(`${foreignOrigin}/a`);
		await client.fetch(new URL(`${foreignOrigin}/b`));
		await client.fetch(new Request(`${foreignOrigin}/c`, { method: "POST", body: "x" }));
		expect(api.seen.map((s) => [s.url, s.authorization])).toEqual([
			[`${foreignOrigin}/a`, null],
			[`${foreignOrigin}/b`, null],
			[`${foreignOrigin}/c`, null],
		]);
	});

	it("keeps an Authorization the caller set on a foreign request, and never replaces it with the session's", async () => {
		const { client, api } = setup();
		await client.fetch(`${foreignOrigin}/a`, { headers: { authorization: "Bearer theirs" } });
		expect(api.seen[0]?.authorization).toBe("Bearer theirs");
	});

	it("sends no cookies to a foreign URL even when the caller asks for credentials: include", async () => {
		let credentials: RequestCredentials | undefined;
		const recording: typeof fetch = (input, init) => {
			credentials = input instanceof Request ? input.credentials : init?.credentials;
			return fetch(input, init);
		};
		const { client } = setup({ ky: { retry: 0, fetch: recording } });
		await client.fetch(`${foreignOrigin}/a`, { credentials: "include" });
		expect(credentials).toBe("omit");
		await client.fetch(`${origin}/api/a`, { credentials: "include" });
		expect(credentials).toBe("include");
	});
});

describe("client.fetch: single-flight refresh", () => {
	it("refreshes once for N concurrent 401s and answers every call with the new token", async () => {
		const { client, api, reauthenticate } = setup({ expired: true });
		const answers = await Promise.all(range(8).map((i) => client.fetch(`${origin}/api/doc/${i}`)));
		expect(answers.map((r) => r.status)).toEqual(range(8).map(() => 200));
		const bodies = await Promise.all(answers.map((r) => json(r)));
		expect(bodies.map((b) => b.path)).toEqual(range(8).map((i) => `/api/doc/${i}`));
		expect(bodies.every((b) => b.authorization === "Bearer at-2")).toBe(true);
		expect(api.refresh).toHaveBeenCalledTimes(1);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("re-sends a POSTed JSON Request intact after a refresh", async () => {
		const { client, api } = setup({ expired: true });
		const payload = { title: "Plan", tags: ["a", "b"], nested: { n: 1 } };
		const request = new Request(`${origin}/api/documents.create`, {
			method: "POST",
			headers: { "content-type": "application/json", "x-request-id": "r-1" },
			body: JSON.stringify(payload),
		});
		const response = await client.fetch(request);
		expect(response.status).toBe(200);
		expect(api.refresh).toHaveBeenCalledTimes(1);
		const posts = api.seen.filter((s) => s.method === "POST");
		expect(posts.map((s) => s.authorization)).toEqual(["Bearer at-1", "Bearer at-2"]);
		for (const sent of posts) {
			expect(sent.contentType).toBe("application/json");
			expect(JSON.parse(sent.body)).toEqual(payload);
		}
	});

	it("re-sends a FormData upload (fields and file) intact after a refresh", async () => {
		const { client, api } = setup({ expired: true });
		const form = new FormData();
		form.append("documentId", "doc-1");
		form.append("file", new Blob(["hello, file"], { type: "text/plain" }), "notes.txt");
		const response = await client.fetch(new Request(`${origin}/api/attachments.create`, { method: "POST", body: form }));
		expect(response.status).toBe(200);
		const posts = api.seen.filter((s) => s.method === "POST");
		expect(posts).toHaveLength(2);
		for (const sent of posts) {
			expect(sent.contentType).toMatch(/^multipart\/form-data; boundary=/);
			expect(sent.form).toEqual({ documentId: "doc-1", file: "file:notes.txt:text/plain:hello, file" });
		}
		expect(posts[1]?.authorization).toBe("Bearer at-2");
	});

	it("re-sends a body given in init (string, URLSearchParams, FormData) intact after a refresh", async () => {
		const { client, api } = setup({ expired: true });
		const form = new FormData();
		form.append("k", "v");
		const answers = await Promise.all([
			client.fetch(`${origin}/api/text`, { method: "POST", body: "plain words" }),
			client.fetch(`${origin}/api/params`, { method: "POST", body: new URLSearchParams({ a: "1", b: "two" }) }),
			client.fetch(`${origin}/api/form`, { method: "POST", body: form }),
		]);
		expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(api.refresh).toHaveBeenCalledTimes(1);
		const retried = newTokenRequests(api, "at-2");
		const byPath = Object.fromEntries(retried.map((s) => [new URL(s.url).pathname, s]));
		expect(byPath["/api/text"]).toMatchObject({ body: "plain words", contentType: "text/plain;charset=UTF-8" });
		expect(byPath["/api/params"]).toMatchObject({ body: "a=1&b=two", contentType: "application/x-www-form-urlencoded;charset=UTF-8" });
		expect(byPath["/api/form"]?.form).toEqual({ k: "v" });
	});
});

describe("client.fetch: the stall during re-authentication", () => {
	it("holds every request while reauthenticate runs, then replays them all with the new session", async () => {
		let signIn!: (tokens: TokenSet) => void;
		const reauthenticate = vi.fn(() => new Promise<TokenSet>((resolve) => (signIn = resolve)));
		const { client, api } = setup({ expired: true, revoked: true, reauthenticate });
		const first = range(4).map((i) => track(client.fetch(`${origin}/api/doc/${i}`)));
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1));
		// A request made during the stall waits too, without reaching the server.
		const sentBefore = api.seen.length;
		const late = track(client.fetch(`${origin}/api/late`, { method: "POST", body: "late body" }));
		await settle();
		expect(client.session.getSnapshot().status).toBe("reauthenticating");
		expect([...first, late].map((t) => t.status)).toEqual(range(5).map(() => "pending"));
		expect(api.seen.length).toBe(sentBefore);

		signIn(api.issue());
		await vi.waitFor(() => expect([...first, late].every((t) => t.status === "fulfilled")).toBe(true));
		const answers = [...first, late].map((t) => t.value!);
		expect(answers.map((r) => r.status)).toEqual(range(5).map(() => 200));
		const bodies = await Promise.all(answers.map((r) => json(r)));
		expect(bodies.every((b) => b.authorization === "Bearer at-2")).toBe(true);
		expect(bodies.at(-1)).toMatchObject({ method: "POST", body: "late body" });
		expect(api.refresh).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledTimes(1);
	});
});

describe("client.fetch: statuses resolve as fetch resolves them", () => {
	it.each([400, 403, 404, 409, 422, 429, 500, 503])("resolves a %i with its body, and never throws", async (status) => {
		const { client, reauthenticate } = setup();
		const before = client.session.getSnapshot().status;
		const response = await client.fetch(`${origin}/api/status/${status}`);
		expect(response.status).toBe(status);
		expect(response.ok).toBe(false);
		expect(await response.json()).toEqual({ message: `answered ${status}` });
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe(before);
	});

	it("resolves a foreign origin's 401 as it is, without touching the session", async () => {
		const { client, api } = setup();
		await client.fetch(`${origin}/api/me`);
		server.use(http.get(`${foreignOrigin}/private`, () => HttpResponse.json({ error: "theirs" }, { status: 401 })));
		const response = await client.fetch(`${foreignOrigin}/private`);
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ error: "theirs" });
		expect(api.refresh).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("rejects a network failure with a TypeError, as fetch does (code that tells offline apart checks for it)", async () => {
		const { client } = setup();
		server.use(http.get(`${origin}/api/down`, () => HttpResponse.error()));
		const native = await fetch(`${origin}/api/down`).catch((error: unknown) => error);
		expect(native).toBeInstanceOf(TypeError);
		const error = await client.fetch(`${origin}/api/down`).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(TypeError);
	});
});

describe("client.fetch: a Request's own options count, as they do for fetch", () => {
	it("honours redirect: manual given in init and given on a Request", async () => {
		const { client } = setup();
		server.use(http.get(`${origin}/api/moved`, () => new HttpResponse(null, { status: 302, headers: { location: `${origin}/api/target` } })));
		expect((await fetch(new Request(`${origin}/api/moved`, { redirect: "manual" }))).status).toBe(302);
		expect((await client.fetch(`${origin}/api/moved`, { redirect: "manual" })).status).toBe(302);
		expect((await client.fetch(new Request(`${origin}/api/moved`, { redirect: "manual" }))).status).toBe(302);
	});

	it("honours credentials: include set on a Request (openapi-fetch puts its credentials option there)", async () => {
		const modes: RequestCredentials[] = [];
		const recording: typeof fetch = (input, init) => {
			modes.push(input instanceof Request ? input.credentials : (init?.credentials ?? "same-origin"));
			return fetch(input, init);
		};
		const { client } = setup({ ky: { retry: 0, fetch: recording } });
		await client.fetch(`${origin}/api/a`, { credentials: "include" });
		await client.fetch(new Request(`${origin}/api/b`, { credentials: "include" }));
		const api = createOpenApiClient<paths>({ baseUrl: `${origin}/api`, fetch: client.fetch, credentials: "include" });
		await api.GET("/documents/{id}", { params: { path: { id: "1" } } });
		expect(modes).toEqual(["include", "include", "include"]);
	});

	it("rejects with the caller's AbortError when aborted during the stall, through init or the Request's signal", async () => {
		const reauthenticate = vi.fn(() => new Promise<TokenSet>(() => {}));
		const { client } = setup({ expired: true, revoked: true, reauthenticate });
		const viaInit = new AbortController();
		const viaRequest = new AbortController();
		const first = client.fetch(`${origin}/api/a`, { signal: viaInit.signal }).catch((error: unknown) => error);
		const second = client.fetch(new Request(`${origin}/api/b`, { signal: viaRequest.signal })).catch((error: unknown) => error);
		await vi.waitFor(() => expect(client.session.getSnapshot().status).toBe("reauthenticating"));
		viaInit.abort();
		viaRequest.abort();
		expect(await first).toMatchObject({ name: "AbortError" });
		expect(await second).toMatchObject({ name: "AbortError" });
	});
});

describe("client.fetch: once signed out, the 401 is handed over", () => {
	it("resolves every stalled request with a 401 when signing in again fails", async () => {
		const { client, api, reauthenticate, onSignedOut } = signedOutSetup();
		const answers = await Promise.all(range(4).map((i) => client.fetch(`${origin}/api/doc/${i}`)));
		expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401]);
		expect(api.refresh).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(onSignedOut).toHaveBeenCalledTimes(1);
		expect(client.session.getSnapshot().status).toBe("signedOut");
	});

	it("resolves later requests with the server's own 401, sent without a token", async () => {
		const { client, api } = signedOutSetup();
		await client.fetch(`${origin}/api/first`);
		const response = await client.fetch(`${origin}/api/later`);
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ error: "authentication_required", message: "Sign in again" });
		expect(api.seen.at(-1)?.authorization).toBeNull();
		expect(api.refresh).toHaveBeenCalledTimes(1);
	});

	it("resolves a 401 after logout() without refreshing", async () => {
		const { client, api } = setup();
		await client.logout();
		const response = await client.fetch(`${origin}/api/after-logout`);
		expect(response.status).toBe(401);
		expect(api.seen.at(-1)?.authorization).toBeNull();
		expect(api.refresh).not.toHaveBeenCalled();
	});
});

// ---------------------------------------------------------------------------------------------------------------------
// Libraries that take a `fetch`: client.fetch is handed over unchanged.
// ---------------------------------------------------------------------------------------------------------------------

class AuthorizationError extends Error {
	override name = "AuthorizationError";
}
class RequestError extends Error {
	override name = "RequestError";
}

/**
 * Outline's ApiClient in miniature: `fetch-retry` around the fetch it is given, a relative `/api` base, the same init
 * it sends (no-cache, same-origin, follow), its own 401 branch that tells the session owner and throws.
 */
function outlineApiClient(fetchImpl: typeof fetch, onUnauthorized: (reason: string) => void) {
	const fetchWithRetry = fetchRetry(fetchImpl);
	return {
		async post<T>(path: string, data: Record<string, unknown> | FormData = {}): Promise<T> {
			const isJson = !(data instanceof FormData);
			const headers = new Headers({ Accept: "application/json", "cache-control": "no-cache", "x-api-version": "4", pragma: "no-cache" });
			if (isJson) headers.set("Content-Type", "application/json");
			let response: Response;
			try {
				response = await fetchWithRetry(`/api${path}`, {
					method: "POST",
					body: isJson ? JSON.stringify(data) : data,
					headers,
					redirect: "follow",
					credentials: "same-origin",
					cache: "no-cache",
				});
			} catch {
				throw new RequestError("A network error occurred, try again?");
			}
			if (response.ok) return (await response.json()) as T;
			if (response.status === 401) {
				onUnauthorized("unauthorized");
				throw new AuthorizationError();
			}
			throw new RequestError(`Error ${response.status}`);
		},
	};
}

describe("fetch-retry (Outline's ApiClient shape)", () => {
	it("succeeds with the bearer token attached", async () => {
		const { client } = setup();
		const outline = outlineApiClient(client.fetch, vi.fn());
		const body = await outline.post<Echo>("/documents.info", { id: "doc-1" });
		expect(body).toMatchObject({ path: "/api/documents.info", method: "POST", authorization: "Bearer at-1", contentType: "application/json" });
		expect(JSON.parse(body.body)).toEqual({ id: "doc-1" });
	});

	it("refreshes a dead token once for several concurrent calls, and re-sends each JSON body and upload intact", async () => {
		const { client, api } = setup({ expired: true });
		const onUnauthorized = vi.fn();
		const outline = outlineApiClient(client.fetch, onUnauthorized);
		const form = new FormData();
		form.append("file", new Blob(["bytes"], { type: "image/png" }), "a.png");
		const [a, b, c, upload] = await Promise.all([
			outline.post<Echo>("/documents.info", { id: "a" }),
			outline.post<Echo>("/documents.info", { id: "b" }),
			outline.post<Echo>("/collections.list", {}),
			outline.post<Echo>("/attachments.create", form),
		]);
		expect([a, b, c, upload].map((r) => r.authorization)).toEqual(["Bearer at-2", "Bearer at-2", "Bearer at-2", "Bearer at-2"]);
		expect([JSON.parse(a.body), JSON.parse(b.body)]).toEqual([{ id: "a" }, { id: "b" }]);
		expect(upload.form).toEqual({ file: "file:a.png:image/png:bytes" });
		expect(api.refresh).toHaveBeenCalledTimes(1);
		expect(onUnauthorized).not.toHaveBeenCalled();
	});

	it("lets Outline's own 401 branch run once the session is signed out (fetch-retry does not retry it)", async () => {
		const { client, api } = signedOutSetup();
		const onUnauthorized = vi.fn();
		const outline = outlineApiClient(client.fetch, onUnauthorized);
		const results = await Promise.allSettled(range(3).map(() => outline.post("/documents.list")));
		for (const result of results) expect(result).toMatchObject({ status: "rejected", reason: expect.any(AuthorizationError) });
		expect(onUnauthorized).toHaveBeenCalledTimes(3);
		expect(onUnauthorized).toHaveBeenCalledWith("unauthorized");
		expect(api.refresh).toHaveBeenCalledTimes(1);
	});

	it("keeps fetch-retry's own retry of network failures working through client.fetch", async () => {
		const { client } = setup();
		let failures = 0;
		server.use(
			http.post(`${origin}/api/flaky`, () => {
				if (failures++ < 2) return HttpResponse.error();
				return undefined;
			}),
		);
		const retrying = fetchRetry(client.fetch, { retries: 3, retryDelay: 1 });
		const response = await retrying(`${origin}/api/flaky`, { method: "POST", body: "again" });
		expect(response.status).toBe(200);
		expect(await json(response)).toMatchObject({ body: "again", authorization: "Bearer at-1" });
		expect(failures).toBe(3);
	});
});

type DocumentPayload = { path: string; method: string; authorization: string | null; body: string };
type paths = {
	"/documents/{id}": {
		parameters: { query?: never; header?: never; path?: never; cookie?: never };
		get: {
			parameters: { query?: never; header?: never; path: { id: string }; cookie?: never };
			requestBody?: never;
			responses: {
				200: { headers: { [name: string]: unknown }; content: { "application/json": DocumentPayload } };
				401: { headers: { [name: string]: unknown }; content: { "application/json": { error: string } } };
			};
		};
	};
	"/documents": {
		parameters: { query?: never; header?: never; path?: never; cookie?: never };
		post: {
			parameters: { query?: never; header?: never; path?: never; cookie?: never };
			requestBody: { content: { "application/json": { title: string } } };
			responses: {
				200: { headers: { [name: string]: unknown }; content: { "application/json": DocumentPayload } };
				401: { headers: { [name: string]: unknown }; content: { "application/json": { error: string } } };
			};
		};
	};
};

describe("openapi-fetch", () => {
	function openapi(client: Client, middleware?: Middleware) {
		const api = createOpenApiClient<paths>({ baseUrl: `${origin}/api`, fetch: client.fetch });
		if (middleware) api.use(middleware);
		return api;
	}

	it("succeeds with the bearer token attached (GET with a path parameter, POST with a JSON body)", async () => {
		const { client } = setup();
		const api = openapi(client);
		const got = await api.GET("/documents/{id}", { params: { path: { id: "42" } } });
		expect(got.error).toBeUndefined();
		expect(got.data).toMatchObject({ path: "/api/documents/42", method: "GET", authorization: "Bearer at-1" });
		const posted = await api.POST("/documents", { body: { title: "New" } });
		expect(posted.data).toMatchObject({ path: "/api/documents", method: "POST", authorization: "Bearer at-1" });
		expect(JSON.parse(posted.data!.body)).toEqual({ title: "New" });
	});

	it("refreshes a dead token once for several concurrent calls", async () => {
		const { client, api: server } = setup({ expired: true });
		const api = openapi(client);
		const results = await Promise.all([
			...range(4).map((i) => api.GET("/documents/{id}", { params: { path: { id: String(i) } } })),
			api.POST("/documents", { body: { title: "Concurrent" } }),
		]);
		expect(results.map((r) => r.response.status)).toEqual([200, 200, 200, 200, 200]);
		expect(results.map((r) => r.data?.authorization)).toEqual(range(5).map(() => "Bearer at-2"));
		expect(JSON.parse(results[4]!.data!.body)).toEqual({ title: "Concurrent" });
		expect(server.refresh).toHaveBeenCalledTimes(1);
	});

	it("surfaces a signed-out session as openapi-fetch's own { error, response.status: 401 } and onResponse middleware", async () => {
		const { client } = signedOutSetup();
		const unauthorized = vi.fn();
		const api = openapi(client, {
			onResponse({ response }) {
				if (response.status === 401) unauthorized();
			},
		});
		const results = await Promise.all(range(3).map((i) => api.GET("/documents/{id}", { params: { path: { id: String(i) } } })));
		for (const result of results) {
			expect(result.response.status).toBe(401);
			expect(result.data).toBeUndefined();
			expect(result.error).toBeDefined();
		}
		expect(unauthorized).toHaveBeenCalledTimes(3);
		// Once signed out, the server's own 401 body reaches openapi-fetch's typed error.
		const later = await api.GET("/documents/{id}", { params: { path: { id: "later" } } });
		expect(later.error).toEqual({ error: "authentication_required", message: "Sign in again" });
	});
});

describe("ofetch", () => {
	function ofetchFor(client: Client, hooks: { onResponseError?: (status: number) => void } = {}) {
		// ofetch takes `fetch` in the second (global) options of `create`; in the first it would be ignored.
		return ofetch.create(
			{
				baseURL: `${origin}/api`,
				onResponseError({ response }) {
					hooks.onResponseError?.(response.status);
				},
			},
			{ fetch: client.fetch },
		);
	}

	it("succeeds with the bearer token attached (GET, and POST with an object body it serializes)", async () => {
		const { client } = setup();
		const $api = ofetchFor(client);
		const got = await $api<Echo>("/documents/1", { query: { full: "yes" } });
		expect(got).toMatchObject({ path: "/api/documents/1", method: "GET", authorization: "Bearer at-1" });
		const posted = await $api<Echo>("/documents", { method: "POST", body: { title: "Hello" } });
		expect(posted).toMatchObject({ method: "POST", authorization: "Bearer at-1", contentType: "application/json" });
		expect(JSON.parse(posted.body)).toEqual({ title: "Hello" });
	});

	it("refreshes a dead token once for several concurrent calls", async () => {
		const { client, api } = setup({ expired: true });
		const onResponseError = vi.fn();
		const $api = ofetchFor(client, { onResponseError });
		const results = await Promise.all([
			...range(4).map((i) => $api<Echo>(`/documents/${i}`)),
			$api<Echo>("/documents", { method: "POST", body: { title: "Concurrent" } }),
		]);
		expect(results.map((r) => r.authorization)).toEqual(range(5).map(() => "Bearer at-2"));
		expect(JSON.parse(results[4]!.body)).toEqual({ title: "Concurrent" });
		expect(api.refresh).toHaveBeenCalledTimes(1);
		expect(onResponseError).not.toHaveBeenCalled();
	});

	it("surfaces a signed-out session as ofetch's own FetchError 401 and onResponseError hook", async () => {
		const { client } = signedOutSetup();
		const onResponseError = vi.fn();
		const $api = ofetchFor(client, { onResponseError });
		const results = await Promise.allSettled(range(3).map((i) => $api(`/documents/${i}`)));
		for (const result of results) {
			expect(result.status).toBe("rejected");
			const error = (result as PromiseRejectedResult).reason as FetchError;
			expect(error).toBeInstanceOf(FetchError);
			expect(error.statusCode).toBe(401);
		}
		expect(onResponseError.mock.calls).toEqual([[401], [401], [401]]);
		// A 500 is ofetch's ordinary error too (retried once for a GET, as ofetch does, then thrown).
		const failed = await $api("/status/500").catch((error: unknown) => error);
		expect(failed).toBeInstanceOf(FetchError);
	});
});

describe("graphql-request", () => {
	const documentQuery = gql`
		query Document($id: ID!) {
			document(id: $id) {
				id
				title
				by
			}
		}
	`;
	type DocumentResult = { document: { id: string; title: string; by: string } };

	it("succeeds with the bearer token attached", async () => {
		const { client, api } = setup();
		const graphql = new GraphQLClient(`${origin}/api/graphql`, { fetch: client.fetch });
		const result = await graphql.request<DocumentResult>(documentQuery, { id: "7" });
		expect(result.document).toMatchObject({ id: "7", title: "Doc 7", by: "at-1" });
		expect(api.seen.at(-1)).toMatchObject({ method: "POST", authorization: "Bearer at-1", contentType: "application/json" });
	});

	it("refreshes a dead token once for several concurrent calls", async () => {
		const { client, api } = setup({ expired: true });
		const graphql = new GraphQLClient(`${origin}/api/graphql`, { fetch: client.fetch });
		const results = await Promise.all(range(5).map((i) => graphql.request<DocumentResult>(documentQuery, { id: String(i) })));
		expect(results.map((r) => [r.document.id, r.document.by])).toEqual(range(5).map((i) => [String(i), "at-2"]));
		expect(api.refresh).toHaveBeenCalledTimes(1);
	});

	it("surfaces a signed-out session as graphql-request's own ClientError with status 401", async () => {
		const { client } = signedOutSetup();
		const graphql = new GraphQLClient(`${origin}/api/graphql`, { fetch: client.fetch });
		const results = await Promise.allSettled(range(3).map((i) => graphql.request(documentQuery, { id: String(i) })));
		for (const result of results) {
			expect(result.status).toBe("rejected");
			const error = (result as PromiseRejectedResult).reason as ClientError;
			expect(error).toBeInstanceOf(ClientError);
			expect(error.response.status).toBe(401);
		}
	});
});
