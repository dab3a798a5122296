import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, createClient, memoryTokenStore, type RefreshFunction } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";

// A refresh call that never answers and ignores its signal; requests wait on it when their token has expired.
function clientWithHungRefresh(seen: (string | null)[]) {
	const refresh = vi.fn<RefreshFunction>(() => new Promise(() => {}));
	const client = createClient({
		baseUrl: "https://app.example/api/",
		auth: { type: "bearer", store: memoryTokenStore({ accessToken: "alice-expired", refreshToken: "r1", expiresAt: Date.now() - 1_000 }), refresh, refreshTimeoutMs: 10_000 },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: {
			retry: 0,
			fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
				seen.push(new Headers(input instanceof Request ? input.headers : init?.headers).get("authorization"));
				return Response.json({ ok: true });
			},
		},
	});
	return { client, refresh };
}

function settledState(promise: Promise<unknown>) {
	const state: { value?: unknown; error?: unknown; settled: boolean } = { settled: false };
	promise.then(
		(value) => Object.assign(state, { value, settled: true }),
		(error: unknown) => Object.assign(state, { error, settled: true }),
	);
	return state;
}

describe("a request waiting on a refresh that hangs", () => {
	afterEach(() => vi.useRealTimers());

	it("should reject with AuthenticationError as soon as the user logs out, not when the refresh times out", async () => {
		vi.useFakeTimers();
		const seen: (string | null)[] = [];
		const { client, refresh } = clientWithHungRefresh(seen);
		const request = settledState(client.get("documents"));
		await vi.advanceTimersByTimeAsync(100);
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(request.settled).toBe(false);

		await client.logout();
		await vi.advanceTimersByTimeAsync(50);
		expect(request.settled).toBe(true);
		expect(request.error).toBeInstanceOf(AuthenticationError);
		// It never went out with the expired token of the user who left.
		expect(seen).toEqual([]);
		client.dispose();
	});

	it("should go out at once with the new user's token when signIn lands during the hung refresh", async () => {
		vi.useFakeTimers();
		const seen: (string | null)[] = [];
		const { client, refresh } = clientWithHungRefresh(seen);
		const request = settledState(client.get("documents"));
		await vi.advanceTimersByTimeAsync(100);

		await client.signIn({ accessToken: "bob", refreshToken: "r-bob", expiresAt: Date.now() + 3_600_000 });
		await vi.advanceTimersByTimeAsync(50);
		expect(request.settled).toBe(true);
		expect(request.value).toEqual({ ok: true });
		expect(seen).toEqual(["Bearer bob"]);
		expect(refresh).toHaveBeenCalledTimes(1);
		client.dispose();
	});
});
