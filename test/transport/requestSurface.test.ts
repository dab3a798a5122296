/**
 * Issue 12 (B): the request surface. Each behaviour has a test that fails without it: bodies sent as they are,
 * per-request credentials, session-neutral and anonymous requests, server messages in errors (never a token),
 * `errorFor`, no timeout the app did not ask for, and opt-in de-duplication.
 *
 * A fake `fetch` (via `ky: { fetch }`) plays the server: it sees each request exactly as it leaves tokenflight,
 * `credentials` mode included (msw's Node interceptor drops that mode).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
	AuthenticationError,
	type ApiError,
	HttpError,
	NotFoundError,
	ServerError,
	TimeoutError,
	createClient,
	memoryTokenStore,
	type Client,
	type ClientOptions,
	type RefreshFunction,
	type TokenSet,
} from "../../src/index.js";
import { baseUrl, origin } from "../helpers/backend.js";
import { formFields } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

type Received = {
	method: string;
	url: string;
	path: string;
	credentials: RequestCredentials;
	authorization: string | null;
	csrf: string | null;
	contentType: string | null;
	headers: Headers;
	bytes: Uint8Array;
	text: string;
	form: Record<string, string> | undefined;
	signal: AbortSignal;
};

type Route = (request: Received) => Response | Promise<Response>;

const ok: Route = (request) => Response.json({ ok: true, path: request.path, method: request.method });

/** A fake server behind `ky: { fetch }`: records every request and answers with `route`. */
function fakeServer(route: Route = ok) {
	const received: Received[] = [];
	let current = route;
	const fetchImpl: typeof fetch = async (input, init) => {
		const request = input instanceof Request ? new Request(input, init) : new Request(input, init);
		const contentType = request.headers.get("content-type");
		const form = await formFields(request);
		const bytes = new Uint8Array(await request.arrayBuffer());
		const entry: Received = {
			method: request.method,
			url: request.url,
			path: new URL(request.url).pathname,
			credentials: request.credentials,
			authorization: request.headers.get("authorization"),
			csrf: request.headers.get("x-csrf-token"),
			contentType,
			headers: request.headers,
			bytes,
			text: new TextDecoder().decode(bytes),
			form,
			signal: request.signal,
		};
		received.push(entry);
		return current(entry);
	};
	return {
		fetch: fetchImpl,
		received,
		respond(next: Route) {
			current = next;
		},
	};
}

type FakeServer = ReturnType<typeof fakeServer>;

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function reauthenticateSpy() {
	return vi.fn<NonNullable<ClientOptions["reauthenticate"]>>(() => undefined);
}

function clientOf(server: FakeServer, auth: ClientOptions["auth"], overrides: Partial<ClientOptions>) {
	const reauthenticate = reauthenticateSpy();
	const client = createClient({
		baseUrl,
		auth,
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0, fetch: server.fetch },
		...overrides,
	});
	clients.push(client);
	return { client, reauthenticate };
}

function cookieClient(server: FakeServer, overrides: Partial<ClientOptions> = {}) {
	return clientOf(server, { type: "cookie", csrf: { cookie: "csrf", header: "x-csrf-token", read: () => "csrf-value" } }, overrides);
}

function bearerClient(server: FakeServer, tokens: TokenSet | null = { accessToken: "at-1", refreshToken: "rt-1" }, overrides: Partial<ClientOptions> = {}) {
	const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: "at-2", refreshToken: "rt-2" }));
	return { ...clientOf(server, { type: "bearer", store: memoryTokenStore(tokens), refresh }, overrides), refresh };
}

const methods = ["post", "put", "patch"] as const;
const bytesOf = (text: string) => new TextEncoder().encode(text);
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe("post/put/patch bodies", () => {
	describe.each(methods)("%s", (method) => {
		it("sends FormData as multipart, fields and files intact", async () => {
			const server = fakeServer();
			const { client } = cookieClient(server);
			const form = new FormData();
			form.append("title", "Plan");
			form.append("file", new Blob(["file body"], { type: "text/markdown" }), "plan.md");
			await client[method]("attachments", form);
			const [sent] = server.received;
			expect(sent?.method).toBe(method.toUpperCase());
			expect(sent?.contentType).toMatch(/^multipart\/form-data; boundary=/);
			expect(sent?.form).toEqual({ title: "Plan", file: "file:plan.md:text/markdown:file body" });
		});

		it("sends a Blob with its own type and bytes", async () => {
			const server = fakeServer();
			const { client } = cookieClient(server);
			const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
			await client[method]("avatar", new Blob([png], { type: "image/png" }));
			expect(server.received[0]?.contentType).toBe("image/png");
			expect([...server.received[0]!.bytes]).toEqual([...png]);
		});

		it("sends URLSearchParams form-encoded", async () => {
			const server = fakeServer();
			const { client } = cookieClient(server);
			await client[method]("login", new URLSearchParams({ user: "alice", scope: "a b" }));
			expect(server.received[0]?.contentType).toBe("application/x-www-form-urlencoded;charset=UTF-8");
			expect(server.received[0]?.text).toBe("user=alice&scope=a+b");
		});

		it("sends an ArrayBuffer and a typed array as raw bytes, not JSON", async () => {
			const server = fakeServer();
			const { client } = cookieClient(server);
			const bytes = new Uint8Array([1, 2, 3, 250]);
			await client[method]("raw", bytes.buffer);
			await client[method]("raw", bytes);
			for (const sent of server.received) {
				expect([...sent.bytes]).toEqual([1, 2, 3, 250]);
				expect(sent.contentType).not.toBe("application/json");
			}
		});

		it("sends a string as it is (text/plain, not a JSON string literal), or with the content-type the caller set", async () => {
			const server = fakeServer();
			const { client } = cookieClient(server);
			await client[method]("notes", "plain words");
			await client[method]("notes", "<doc/>", { headers: { "content-type": "application/xml" } });
			expect(server.received.map((s) => [s.contentType, s.text])).toEqual([
				["text/plain;charset=UTF-8", "plain words"],
				["application/xml", "<doc/>"],
			]);
		});

		it("sends plain objects, null-prototype objects and arrays as JSON", async () => {
			const server = fakeServer();
			const { client } = cookieClient(server);
			const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
			await client[method]("json", { title: "Plan", tags: ["x"], nested: { n: 1 } });
			await client[method]("json", [1, { two: 2 }]);
			await client[method]("json", bare);
			expect(server.received.map((s) => s.contentType)).toEqual(["application/json", "application/json", "application/json"]);
			expect(server.received.map((s) => JSON.parse(s.text) as unknown)).toEqual([{ title: "Plan", tags: ["x"], nested: { n: 1 } }, [1, { two: 2 }], { a: 1 }]);
		});

		it("sends numbers, booleans and null as JSON, and no body at all for undefined", async () => {
			const server = fakeServer();
			const { client } = cookieClient(server);
			await client[method]("json", 42);
			await client[method]("json", false);
			await client[method]("json", null);
			await client[method]("empty");
			expect(server.received.map((s) => [s.contentType, s.text])).toEqual([
				["application/json", "42"],
				["application/json", "false"],
				["application/json", "null"],
				[null, ""],
			]);
		});
	});

	it("sends a ReadableStream body as it is", async () => {
		const server = fakeServer();
		const { client } = cookieClient(server);
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(bytesOf("chunk-1,"));
				controller.enqueue(bytesOf("chunk-2"));
				controller.close();
			},
		});
		await client.post("upload", stream, { headers: { "content-type": "application/octet-stream" } });
		expect(server.received[0]).toMatchObject({ contentType: "application/octet-stream", text: "chunk-1,chunk-2" });
	});

	it("keeps the CSRF header on non-JSON bodies in cookie mode", async () => {
		const server = fakeServer();
		const { client } = cookieClient(server);
		const form = new FormData();
		form.append("a", "1");
		await client.post("attachments", form);
		await client.put("raw", new Blob(["x"]));
		expect(server.received.map((s) => s.csrf)).toEqual(["csrf-value", "csrf-value"]);
	});
});

describe("per-request credentials", () => {
	it("defaults to include in cookie mode, for reads and writes", async () => {
		const server = fakeServer();
		const { client } = cookieClient(server);
		await client.get("me");
		await client.post("documents", { a: 1 });
		await client.request("me");
		expect(server.received.map((s) => s.credentials)).toEqual(["include", "include", "include"]);
	});

	it("honours credentials: same-origin and omit in cookie mode", async () => {
		const server = fakeServer();
		const { client } = cookieClient(server);
		await client.get("me", { credentials: "same-origin" });
		await client.post("documents", { a: 1 }, { credentials: "same-origin" });
		await client.request("me", { credentials: "omit" });
		await client.fetch(`${origin}/api/me`, { credentials: "same-origin" });
		expect(server.received.map((s) => s.credentials)).toEqual(["same-origin", "same-origin", "omit", "same-origin"]);
	});

	it("defaults to omit in bearer mode and honours an explicit include", async () => {
		const server = fakeServer();
		const { client } = bearerClient(server);
		await client.get("me");
		await client.post("documents", { a: 1 });
		await client.get("me", { credentials: "include" });
		expect(server.received.map((s) => [s.credentials, s.authorization])).toEqual([
			["omit", "Bearer at-1"],
			["omit", "Bearer at-1"],
			["include", "Bearer at-1"],
		]);
	});
});

describe('auth: "neutral" (a share link a signed-in viewer opens)', () => {
	const shareUnauthorized: Route = (request) =>
		request.path.startsWith("/api/shares/")
			? Response.json({ error: "share_password_required", message: "This share needs a password" }, { status: 401 })
			: ok(request);

	it("keeps the session's cookies and CSRF value in cookie mode", async () => {
		const server = fakeServer();
		const { client } = cookieClient(server);
		await client.get("shares/abc", { auth: "neutral" });
		await client.post("shares/abc/views", { at: 1 }, { auth: "neutral" });
		expect(server.received.map((s) => [s.credentials, s.csrf])).toEqual([
			["include", null],
			["include", "csrf-value"],
		]);
	});

	it("keeps the bearer token in bearer mode", async () => {
		const server = fakeServer();
		const { client } = bearerClient(server);
		await client.get("shares/abc", { auth: "neutral" });
		expect(server.received[0]?.authorization).toBe("Bearer at-1");
	});

	it("rejects its 401 as an ordinary HttpError: no AuthenticationError, no refresh, no reauthenticate, no stall", async () => {
		const server = fakeServer(shareUnauthorized);
		const { client, refresh, reauthenticate } = bearerClient(server);
		await client.get("me");
		const error = await errorOf(client.get("shares/abc", { auth: "neutral" }));
		expect(error).toBeInstanceOf(HttpError);
		expect(error).not.toBeInstanceOf(AuthenticationError);
		expect(error).toMatchObject({ status: 401 });
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
		// Nothing stalls: the next request goes at once, with the same token.
		await expect(client.get("me")).resolves.toMatchObject({ ok: true });
		expect(server.received.map((s) => s.authorization)).toEqual(["Bearer at-1", "Bearer at-1", "Bearer at-1"]);
	});

	it("does the same in cookie mode", async () => {
		const server = fakeServer(shareUnauthorized);
		const { client, reauthenticate } = cookieClient(server);
		const error = await errorOf(client.get("shares/abc", { auth: "neutral" }));
		expect(error).toBeInstanceOf(HttpError);
		expect(error).not.toBeInstanceOf(AuthenticationError);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("reauthenticating");
	});

	it("is not held by a stall: it goes while the rest of the app waits for re-authentication", async () => {
		const server = fakeServer((request) => (request.path === "/api/me" ? Response.json({}, { status: 401 }) : ok(request)));
		const reauthenticate = vi.fn(() => new Promise<undefined>(() => {}));
		const { client } = cookieClient(server, { reauthenticate });
		void client.get("me").catch(() => undefined);
		await vi.waitFor(() => expect(client.session.getSnapshot().status).toBe("reauthenticating"));
		await expect(client.get("shares/abc", { auth: "neutral" })).resolves.toMatchObject({ ok: true, path: "/api/shares/abc" });
		expect(reauthenticate).toHaveBeenCalledTimes(1);
	});

	it("carries the server's message and parsed body on its 401, like any other HttpError", async () => {
		const server = fakeServer(shareUnauthorized);
		const { client } = cookieClient(server);
		const error = (await errorOf(client.get("shares/abc", { auth: "neutral" }))) as HttpError;
		expect(error.data).toEqual({ error: "share_password_required", message: "This share needs a password" });
		expect(error.message).toContain("This share needs a password");
	});
});

describe("auth: false (an anonymous viewer)", () => {
	it("works with no session at all: no token, no cookies, no CSRF value", async () => {
		const server = fakeServer();
		const { client } = bearerClient(server, null);
		await expect(client.get("shares/abc", { auth: false })).resolves.toMatchObject({ ok: true });
		const cookie = cookieClient(server).client;
		await cookie.post("shares/abc/views", { at: 1 }, { auth: false });
		expect(server.received.map((s) => [s.authorization, s.credentials, s.csrf])).toEqual([
			[null, "omit", null],
			[null, "omit", null],
		]);
	});

	it("rejects its 401 as an ordinary HttpError and leaves the session alone", async () => {
		const server = fakeServer(() => Response.json({ error: "share_expired" }, { status: 401 }));
		const { client, refresh, reauthenticate } = bearerClient(server, null);
		const error = await errorOf(client.get("shares/abc", { auth: false }));
		expect(error).toBeInstanceOf(HttpError);
		expect(error).not.toBeInstanceOf(AuthenticationError);
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("reauthenticating");
	});
});

describe("error messages", () => {
	it.each([
		[404, { message: "Document not found" }, "Document not found", NotFoundError],
		[400, { error: "invalid_request", error_description: "The title is too long" }, "The title is too long", HttpError],
		[422, { message: "Title can't be blank", error: "validation_error" }, "Title can't be blank", HttpError],
		[500, { message: "Database is down" }, "Database is down", ServerError],
	] as const)("a %i carries the server's words", async (status, body, words, errorClass) => {
		const server = fakeServer(() => Response.json(body, { status }));
		const { client } = cookieClient(server);
		const error = (await errorOf(client.get("documents/1"))) as HttpError;
		expect(error).toBeInstanceOf(errorClass);
		expect(error.status).toBe(status);
		expect(error.message).toContain(words);
		expect(error.message).toContain(String(status));
		expect(error.data).toEqual(body);
	});

	it("falls back to the status when the body says nothing usable", async () => {
		const server = fakeServer(() => new Response("<html>oops</html>", { status: 502, headers: { "content-type": "text/html" } }));
		const { client } = cookieClient(server);
		const error = (await errorOf(client.get("documents/1"))) as HttpError;
		expect(error.message).toMatch(/^Request failed with status 502 GET https:\/\/app\.example\/api\/documents\/1$/);
	});

	const jwtLike = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTl9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
	const jwtAccessToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInNjb3BlIjoiYXBpIn0.QWNjZXNzVG9rZW5TaWduYXR1cmU";

	it("never quotes a JWT-shaped string or the (JWT) access token the server echoed", async () => {
		const server = fakeServer(() =>
			Response.json({ message: `Token ${jwtAccessToken} rejected; also saw ${jwtLike} in the query` }, { status: 400 }),
		);
		const { client } = bearerClient(server, { accessToken: jwtAccessToken });
		const error = (await errorOf(client.get("documents?token=secret-in-query"))) as HttpError;
		expect(error.message).toContain("rejected");
		for (const text of [error.message, String(error), error.stack ?? ""]) {
			expect(text).not.toContain(jwtAccessToken);
			expect(text).not.toContain(jwtLike);
			expect(text).not.toContain("secret-in-query");
		}
	});

	it("never quotes an opaque access or refresh token the server echoed", async () => {
		const accessToken = "opaque-access-7f3a9c2e41d8";
		const refreshToken = "opaque-refresh-19b6e0d7c5aa";
		const server = fakeServer(() =>
			Response.json({ error_description: `Access token ${accessToken} is not valid for refresh token ${refreshToken}` }, { status: 400 }),
		);
		const { client } = bearerClient(server, { accessToken, refreshToken });
		const error = (await errorOf(client.get("documents"))) as HttpError;
		expect(error.message).toContain("is not valid");
		for (const text of [error.message, String(error), error.stack ?? ""]) {
			expect(text).not.toContain(accessToken);
			expect(text).not.toContain(refreshToken);
		}
	});
});

describe("errorFor", () => {
	class AppNotFoundError extends Error {
		override name = "AppNotFoundError";
	}
	class AppValidationError extends Error {
		override name = "AppValidationError";
		constructor(
			message: string,
			readonly fields: Record<string, string>,
		) {
			super(message);
		}
	}
	class AppAuthorizationError extends Error {
		override name = "AppAuthorizationError";
	}

	const errorFor = vi.fn((error: ApiError) => {
		if (!(error instanceof HttpError)) return undefined;
		if (error.status === 404) return new AppNotFoundError(error.message);
		const data = error.data as { error?: string; fields?: Record<string, string> } | undefined;
		if (error.status === 422 && data?.error === "validation_error") return new AppValidationError(error.message, data.fields ?? {});
		if (error instanceof AuthenticationError) return new AppAuthorizationError("Please sign in");
		return undefined;
	});

	const routes: Route = (request) => {
		switch (request.path) {
			case "/api/missing":
				return Response.json({ message: "Document not found" }, { status: 404 });
			case "/api/invalid":
				return Response.json({ error: "validation_error", message: "Invalid", fields: { title: "required" } }, { status: 422 });
			case "/api/broken":
				return Response.json({ message: "Database is down" }, { status: 500 });
			case "/api/private":
				return Response.json({ error: "authentication_required" }, { status: 401 });
			default:
				return ok(request);
		}
	};

	it("maps status and parsed body to the app's own error classes (instanceof works)", async () => {
		errorFor.mockClear();
		const server = fakeServer(routes);
		const { client } = cookieClient(server, { errorFor });
		const missing = await errorOf(client.get("missing"));
		expect(missing).toBeInstanceOf(AppNotFoundError);
		expect((missing as Error).message).toContain("Document not found");
		const invalid = await errorOf(client.post("invalid", { title: "" }));
		expect(invalid).toBeInstanceOf(AppValidationError);
		expect((invalid as AppValidationError).fields).toEqual({ title: "required" });
		// errorFor saw tokenflight's error, with the status and the parsed body.
		expect(errorFor.mock.calls[0]?.[0]).toBeInstanceOf(NotFoundError);
		expect(errorFor.mock.calls[1]?.[0]).toMatchObject({ status: 422, data: { error: "validation_error", fields: { title: "required" } } });
	});

	it("keeps tokenflight's error when errorFor returns nothing", async () => {
		const server = fakeServer(routes);
		const { client } = cookieClient(server, { errorFor });
		const broken = await errorOf(client.get("broken"));
		expect(broken).toBeInstanceOf(ServerError);
		expect((broken as ServerError).message).toContain("Database is down");
	});

	it("applies to request() and to a per-request auth: false call as well", async () => {
		const server = fakeServer(routes);
		const { client } = cookieClient(server, { errorFor });
		await expect(client.request("missing")).rejects.toBeInstanceOf(AppNotFoundError);
		await expect(client.get("missing", { auth: false })).rejects.toBeInstanceOf(AppNotFoundError);
	});

	it("maps the AuthenticationError of a session that could not be recovered", async () => {
		const server = fakeServer(routes);
		const { client } = cookieClient(server, { errorFor, onSessionEnded: "signOut" });
		await expect(client.get("private")).rejects.toBeInstanceOf(AppAuthorizationError);
		expect(client.session.getSnapshot().status).toBe("signedOut");
	});

	it("never applies to client.fetch, which resolves statuses", async () => {
		const server = fakeServer(routes);
		const { client } = cookieClient(server, { errorFor });
		const response = await client.fetch(`${origin}/api/missing`);
		expect(response.status).toBe(404);
	});
});

describe("no timeout the app did not ask for", () => {
	/** Answers after `ms` of (fake) time; an abort rejects it, as fetch does. */
	const slow =
		(ms: number): Route =>
		(request) =>
			new Promise<Response>((resolve, reject) => {
				const timer = setTimeout(() => resolve(Response.json({ ok: true, after: ms })), ms);
				request.signal.addEventListener("abort", () => {
					clearTimeout(timer);
					reject(request.signal.reason);
				});
			});

	function settledOf<T>(promise: Promise<T>) {
		const state: { value?: T; error?: unknown; done: boolean } = { done: false };
		promise.then(
			(value) => Object.assign(state, { value, done: true }),
			(error: unknown) => Object.assign(state, { error, done: true }),
		);
		return state;
	}

	it("waits 10.5 s for an answer (ky's own default would give up at 10 s)", async () => {
		vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
		const server = fakeServer(slow(10_500));
		const { client } = cookieClient(server);
		const viaGet = settledOf(client.get("slow"));
		const viaRequest = settledOf(client.request("slow"));
		const viaFetch = settledOf(client.fetch(`${origin}/api/slow`));
		await vi.advanceTimersByTimeAsync(10_000);
		expect([viaGet.done, viaRequest.done, viaFetch.done]).toEqual([false, false, false]);
		await vi.advanceTimersByTimeAsync(600);
		expect(viaGet).toMatchObject({ done: true, value: { ok: true, after: 10_500 } });
		expect(viaRequest.error).toBeUndefined();
		expect(viaRequest.value?.status).toBe(200);
		expect(viaFetch.value?.status).toBe(200);
	});

	it("times out when the app asks for it with ky: { timeout }", async () => {
		vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
		const server = fakeServer(slow(10_500));
		const { client } = cookieClient(server, { ky: { retry: 0, timeout: 1_000, fetch: server.fetch } });
		const request = settledOf(client.get("slow"));
		await vi.advanceTimersByTimeAsync(999);
		expect(request.done).toBe(false);
		await vi.advanceTimersByTimeAsync(1);
		expect(request.done).toBe(true);
		expect(request.error).toBeInstanceOf(TimeoutError);
		expect(server.received[0]?.signal.aborted).toBe(true);
	});

	it("times out when a single request asks for it", async () => {
		vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
		const server = fakeServer(slow(10_500));
		const { client } = cookieClient(server);
		const request = settledOf(client.get("slow", { timeout: 2_000 }));
		await vi.advanceTimersByTimeAsync(2_000);
		expect(request.error).toBeInstanceOf(TimeoutError);
	});
});

describe("dedupe", () => {
	/** Answers with a fresh count after a real moment, so identical requests overlap. */
	function countingServer(status = 200) {
		let count = 0;
		return fakeServer(async (request) => {
			count++;
			await new Promise((resolve) => setTimeout(resolve, 5));
			return Response.json({ count, path: request.path, body: request.text }, { status });
		});
	}

	it("with dedupe: true, 5 identical concurrent POSTs reach the server once and all 5 callers get the data", async () => {
		const server = countingServer();
		const { client } = cookieClient(server, { dedupe: true });
		const results = await Promise.all(range(5).map(() => client.post<{ count: number; body: string }>("documents.list", { limit: 25 })));
		expect(server.received).toHaveLength(1);
		expect(results.map((r) => r.count)).toEqual([1, 1, 1, 1, 1]);
		expect(JSON.parse(results[0]!.body)).toEqual({ limit: 25 });
		// Each caller reads its own copy.
		expect(new Set(results).size).toBe(5);
	});

	it("dedupes identical GETs too, and sends again once the shared one has settled", async () => {
		const server = countingServer();
		const { client } = cookieClient(server, { dedupe: true });
		await Promise.all(range(3).map(() => client.get("me")));
		await client.get("me");
		expect(server.received).toHaveLength(2);
	});

	it("sends requests with different bodies, methods, URLs or headers separately", async () => {
		const server = countingServer();
		const { client } = cookieClient(server, { dedupe: true });
		await Promise.all([
			client.post("documents.list", { limit: 25 }),
			client.post("documents.list", { limit: 25 }),
			client.post("documents.list", { limit: 50 }),
			client.put("documents.list", { limit: 25 }),
			client.post("collections.list", { limit: 25 }),
			client.post("documents.list", { limit: 25 }, { headers: { "x-variant": "b" } }),
			client.post("documents.list", "limit=25"),
			client.post("documents.list", "limit=25"),
		]);
		expect(server.received.map((s) => `${s.method} ${s.path} ${s.text} ${s.headers.get("x-variant") ?? ""}`)).toEqual([
			'POST /api/documents.list {"limit":25} ',
			'POST /api/documents.list {"limit":50} ',
			'PUT /api/documents.list {"limit":25} ',
			'POST /api/collections.list {"limit":25} ',
			'POST /api/documents.list {"limit":25} b',
			"POST /api/documents.list limit=25 ",
		]);
	});

	it("lets a request opt out with dedupe: false", async () => {
		const server = countingServer();
		const { client } = cookieClient(server, { dedupe: true });
		await Promise.all(range(5).map(() => client.post("documents.list", { limit: 25 }, { dedupe: false })));
		expect(server.received).toHaveLength(5);
	});

	it("never dedupes requests with a signal", async () => {
		const server = countingServer();
		const { client } = cookieClient(server, { dedupe: true });
		const controller = new AbortController();
		await Promise.all(range(5).map(() => client.post("documents.list", { limit: 25 }, { signal: controller.signal })));
		expect(server.received).toHaveLength(5);
	});

	it("never dedupes bodies it cannot compare (FormData, Blob)", async () => {
		const server = countingServer();
		const { client } = cookieClient(server, { dedupe: true });
		const form = () => {
			const data = new FormData();
			data.append("a", "1");
			return data;
		};
		await Promise.all([client.post("upload", form()), client.post("upload", form()), client.post("upload", new Blob(["x"])), client.post("upload", new Blob(["x"]))]);
		expect(server.received).toHaveLength(4);
	});

	it("is off by default, and a request can opt in with dedupe: true", async () => {
		const server = countingServer();
		const { client } = cookieClient(server);
		await Promise.all(range(5).map(() => client.post("documents.list", { limit: 25 })));
		expect(server.received).toHaveLength(5);
		await Promise.all(range(5).map(() => client.post("documents.list", { limit: 25 }, { dedupe: true })));
		expect(server.received).toHaveLength(6);
	});

	it("shares a failure too: every caller rejects with the error (mapped by errorFor for each)", async () => {
		class AppServerError extends Error {}
		const server = countingServer(500);
		const { client } = cookieClient(server, { dedupe: true, errorFor: (error) => (error instanceof HttpError && error.status >= 500 ? new AppServerError(error.message) : undefined) });
		const results = await Promise.allSettled(range(5).map(() => client.post("documents.list", { limit: 25 })));
		expect(server.received).toHaveLength(1);
		for (const result of results) expect(result).toMatchObject({ status: "rejected", reason: expect.any(AppServerError) });
	});
});

function range(n: number): number[] {
	return Array.from({ length: n }, (_, i) => i);
}
