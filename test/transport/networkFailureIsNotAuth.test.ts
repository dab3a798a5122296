import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { NetworkError, TimeoutError, isApiError, memoryTokenStore } from "../../src/index.js";
import { createBackend, origin } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

function expiredSession(overrides: Parameters<typeof bearerClient>[2] = {}) {
	const backend = createBackend();
	server.use(backend.handler);
	const tokens = backend.issue();
	backend.expireAll();
	return { backend, ...bearerClient(backend, tokens, overrides) };
}

const serverError = () => Object.assign(new Error("Bad Gateway"), { response: { status: 502 } });

describe("network is not auth", () => {
	it.each([
		// No answer: the server may have rotated the token, so it is not presented again within the flight (one call).
		["a fetch TypeError", () => new TypeError("fetch failed"), NetworkError, 1],
		// An error answer: nothing was issued, so nothing rotated, and the flight retries (limit 2: three calls).
		["a 5xx from the token endpoint", serverError, NetworkError, 3],
	])("should reject waiting requests with a typed error, not sign out, after %s", async (_, makeError, type, calls) => {
		const { backend, client, reauthenticate } = expiredSession();
		backend.refresh.mockImplementation(async () => {
			throw makeError();
		});
		const results = await Promise.allSettled([client.get("a"), client.get("b"), client.get("c")]);
		for (const result of results) {
			expect(result.status).toBe("rejected");
			expect((result as PromiseRejectedResult).reason).toBeInstanceOf(type);
		}
		// One flight, shared by all three requests.
		expect(backend.refresh).toHaveBeenCalledTimes(calls);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("signedOut");
	});

	it("should back off between refresh retries and stop after the limit", async () => {
		vi.useFakeTimers();
		const { backend, client } = expiredSession();
		const times: number[] = [];
		backend.refresh.mockImplementation(async () => {
			times.push(Date.now());
			// An answer without a token response: retried with the same token (a TypeError is not: it may have rotated).
			throw serverError();
		});
		const request = client.get("x").catch((error: unknown) => error);
		await vi.advanceTimersByTimeAsync(1_000);
		expect(await request).toBeInstanceOf(NetworkError);
		// refreshRetry { limit: 2, delayMs: 5 }: three attempts, 5 then 10 ms apart.
		expect(times.map((time) => time - times[0]!)).toEqual([0, 5, 15]);
	});

	it("should reject with TimeoutError when refresh exceeds refreshTimeoutMs, passing it an aborted signal", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		backend.expireAll();
		let signal: AbortSignal | undefined;
		backend.refresh.mockImplementation(({ signal: s }) => {
			signal = s;
			return new Promise(() => {});
		});
		const { client, reauthenticate } = bearerClient(backend, tokens, {
			auth: { type: "bearer", store: memoryTokenStore(tokens), refresh: backend.refresh, refreshTimeoutMs: 30, refreshRetry: { limit: 0 } },
		});
		const error = await client.get("x").catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TimeoutError);
		expect(signal?.aborted).toBe(true);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("should try to refresh again on the next request after a network failure", async () => {
		const { backend, client } = expiredSession();
		const real = backend.refresh.getMockImplementation()!;
		backend.refresh.mockRejectedValue(new TypeError("offline"));
		await expect(client.get("a")).rejects.toBeInstanceOf(NetworkError);
		backend.refresh.mockImplementation(real);
		await expect(client.get<{ path: string }>("b")).resolves.toMatchObject({ path: "/api/b" });
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("should map an API request that fails by network error to NetworkError without touching the session", async () => {
		const { client, reauthenticate } = expiredSession();
		server.use(http.get(`${origin}/api/down`, () => HttpResponse.error()));
		const error = await client.get("down").catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NetworkError);
		expect(isApiError(error)).toBe(true);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("should map a request timeout to TimeoutError", async () => {
		const { client } = expiredSession({ ky: { retry: 0, timeout: 30 } });
		server.use(http.get(`${origin}/api/slow`, () => new Promise(() => {})));
		await expect(client.get("slow", { auth: false })).rejects.toBeInstanceOf(TimeoutError);
	});

	it("should reject with the caller's AbortError when the caller aborts", async () => {
		const { client } = expiredSession();
		server.use(http.get(`${origin}/api/slow`, () => new Promise(() => {})));
		const controller = new AbortController();
		const request = client.get("slow", { signal: controller.signal, auth: false });
		setTimeout(() => controller.abort(), 10);
		await expect(request).rejects.toMatchObject({ name: "AbortError" });
	});
});
