// dispose(): requests waiting on a refresh, and requests made afterwards, reject with AbortError (never TimeoutError),
// nothing more is sent and no timer is left.
import { describe, expect, it, vi } from "vitest";
import * as tf from "../../src/index.js";
import { memoryTokenStore, type Reauthenticate, type TokenSet } from "../../src/index.js";
import { settle, track } from "../helpers/async.js";
import { fakeServer, foreign, json, unauthorized, useFakeServerClients } from "../helpers/headerRecordingFetch.js";

const client = useFakeServerClients();

describe("dispose()", () => {
	const isAbortError = (error: unknown) => {
		expect(error).toBeInstanceOf(DOMException);
		expect((error as DOMException).name).toBe("AbortError");
		expect(error).not.toBeInstanceOf(tf.TimeoutError);
	};

	it("should reject a request waiting on a refresh (that honours its signal) with AbortError, not TimeoutError", async () => {
		const server = fakeServer(() => unauthorized());
		const refresh = vi.fn(
			({ signal }: { signal: AbortSignal }) =>
				new Promise<TokenSet>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true })),
		);
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "A", refreshToken: "rA" }), refresh }, reauthenticate: vi.fn<Reauthenticate>() });
		const request = track(c.get("x"));
		await settle();
		expect(refresh).toHaveBeenCalledTimes(1);
		c.dispose();
		await settle();
		expect(request.status).toBe("rejected");
		isAbortError(request.error);
	});

	it("should reject a request waiting on a refresh that never settles with AbortError and leave no timer pending", async () => {
		vi.useFakeTimers();
		const flush = async () => {
			for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(1);
		};
		const server = fakeServer(() => unauthorized());
		const refresh = vi.fn(() => new Promise<TokenSet>(() => {}));
		const c = client(server.fetch, {
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "A", refreshToken: "rA" }), refresh },
			reauthenticate: vi.fn<Reauthenticate>(),
			ky: { timeout: false },
		});
		const request = track(c.get("x"));
		await flush();
		expect(refresh).toHaveBeenCalledTimes(1);
		c.dispose();
		await flush();
		expect(request.status).toBe("rejected");
		isAbortError(request.error);
		expect(vi.getTimerCount()).toBe(0);
	});

	it("should reject auth: false and foreign-origin requests after dispose with AbortError and send nothing", async () => {
		const server = fakeServer(() => json({ ok: true }));
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "A" }) } });
		c.dispose();
		const errors = await Promise.all([
			c.get("auth.config", { auth: false }).catch((e: unknown) => e),
			c.request("auth.login", { method: "POST", auth: false }).catch((e: unknown) => e),
			c.get(`${foreign}/public`).catch((e: unknown) => e),
			c.request(`${foreign}/public`).catch((e: unknown) => e),
			c.get("me").catch((e: unknown) => e),
		]);
		expect(server.seen).toHaveLength(0);
		for (const error of errors) isAbortError(error);
	});
});

