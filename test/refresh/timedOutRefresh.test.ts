// A refresh token is never presented again after the client was told it had been rotated, however late the answer.
import { describe, expect, it, vi } from "vitest";
import {
	AuthenticationError,
	createClient,
	memoryTokenStore,
	RefreshError,
	type Client,
	type RefreshFunction,
	type TokenSet,
	type TokenStore,
} from "../../src/index.js";
import { disposedAfterEach, settledWithin, sleep, track } from "../helpers/async.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";
import { signalIgnoringRefresh } from "../helpers/refresh.js";

const clients = disposedAfterEach();

describe("a refresh that answers just after refreshTimeoutMs", () => {
	// refresher.ts attemptOnce() races the refresh against its timeout. A refresh function that does not honour `signal`
	// (axios, a hand-rolled XHR, a slow server on a slow link) resolves a moment later with rotated tokens: the server has
	// consumed rt-1. Sending rt-1 again in the backoff's retry would meet RFC 9700 reuse detection (invalid_grant, the
	// family revoked, the user re-authenticated). README: "A refresh token that a successful refresh rotated away is never
	// passed to refresh again." So the timed-out call is kept: the retry waits for it (up to another refreshTimeoutMs),
	// and its late success is stored and answers the refresh as if it had come in time. rt-1 is presented once.
	it("does not re-send a refresh token that the timed-out (but successful) refresh had already rotated", async () => {
		const live = new Set(["rt-1"]);
		const presented: (string | undefined)[] = [];
		let reuse = 0;
		let issued = 1;
		const refresh = vi.fn<RefreshFunction>(async ({ refreshToken }) => {
			presented.push(refreshToken);
			const first = presented.length === 1;
			if (!refreshToken || !live.has(refreshToken)) {
				reuse++;
				throw Object.assign(new Error("invalid_grant"), { status: 400 });
			}
			live.delete(refreshToken); // the server rotates at once …
			issued++;
			const tokens: TokenSet = { accessToken: `at-${issued}`, refreshToken: `rt-${issued}` };
			live.add(tokens.refreshToken!);
			if (first) await sleep(80); // … but its answer arrives 30 ms after refreshTimeoutMs, during the backoff
			return tokens;
		});
		const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
		const reauthenticate = vi.fn(() => undefined);
		const client = fakeFetchClient(clients, api.fetch, {
			auth: {
				type: "bearer",
				store: memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" }),
				refresh,
				refreshTimeoutMs: 50,
				refreshRetry: { limit: 2, delayMs: 100 },
			},
			reauthenticate,
		});

		const request = track(client.get("me"));
		await settledWithin(request, 1_000);

		expect(reuse).toBe(0);
		expect(presented).toEqual(["rt-1"]);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(request.status).toBe("fulfilled");
		expect(await client.get("me")).toEqual({ ok: true });
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(api.seen.at(-1)!.headers.authorization).toBe("Bearer at-2");
	});
});


// refreshTimeoutMs 50, backoff 10 then 20: a timed-out call gets until 50 ms after its timeout to settle.
function lateClient(refresh: RefreshFunction, store: TokenStore, reauthenticate = vi.fn(() => undefined)) {
	const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
	const client = fakeFetchClient(clients, api.fetch, {
		auth: { type: "bearer", store, refresh, refreshTimeoutMs: 50, refreshRetry: { limit: 2, delayMs: 10 } },
		reauthenticate,
	});
	return { client, api, reauthenticate };
}

describe("a refresh function that ignores its signal and settles after refreshTimeoutMs", () => {
	// The invariant: a refresh token is never passed to `refresh` while an earlier call with it has timed out and not
	// settled. Fake timers: nothing here depends on how fast the machine is.
	it("a late failure lets the retry go with the same token once more, only after the late call settled", async () => {
		vi.useFakeTimers();
		const { refresh, calls, events } = signalIgnoringRefresh();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { client, api, reauthenticate } = lateClient(refresh, store);

		const request = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(70); // timed out at 50, backoff over at 60: the first call is still pending
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(request.status).toBe("pending");

		// An error answer: nothing was issued, so rt-1 was not rotated (a TypeError is no answer and is not retried).
		calls[0]!.reject(Object.assign(new Error("Service Unavailable"), { status: 503 }));
		await vi.advanceTimersByTimeAsync(1);
		expect(refresh).toHaveBeenCalledTimes(2);
		calls[1]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" });
		await vi.advanceTimersByTimeAsync(1);

		expect(events).toEqual(["call 1 (rt-1)", "settled 1", "call 2 (rt-1)", "settled 2"]);
		expect(request.status).toBe("fulfilled");
		expect(api.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer at-1", "Bearer at-2"]);
		expect(store.get()).toEqual({ accessToken: "at-2", refreshToken: "rt-2" });
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("with no retry left, a late success still answers the refresh and is stored", async () => {
		vi.useFakeTimers();
		const { refresh, calls } = signalIgnoringRefresh();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "bearer", store, refresh, refreshTimeoutMs: 50, refreshRetry: { limit: 0 } },
			reauthenticate: () => undefined,
		});

		const request = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(70); // timed out at 50
		expect(request.status).toBe("pending");
		calls[0]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" });
		await vi.advanceTimersByTimeAsync(1);

		expect(request.status).toBe("fulfilled");
		expect(store.get()).toEqual({ accessToken: "at-2", refreshToken: "rt-2" });
		expect(api.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer at-1", "Bearer at-2"]);
	});

	it("a late call that never settles: its refresh token is not presented again, the refresh fails with RefreshError, nothing hangs", async () => {
		vi.useFakeTimers();
		const { refresh, events } = signalIgnoringRefresh();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { client, reauthenticate } = lateClient(refresh, store);

		const first = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(100); // timed out at 50, waited until 100 for the call to settle
		expect(first.status).toBe("rejected");
		expect(first.error).toBeInstanceOf(RefreshError);

		// A later refresh meets the same unsettled call: it fails at once, without presenting rt-1.
		const second = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(1);
		expect(second.status).toBe("rejected");
		expect(second.error).toBeInstanceOf(RefreshError);

		expect(events).toEqual(["call 1 (rt-1)"]);
		expect(store.get()).toEqual({ accessToken: "at-1", refreshToken: "rt-1" });
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("refreshing");
	});

	it("a late success that comes after the refresh gave up on it is still stored, and the next request uses it", async () => {
		vi.useFakeTimers();
		const { refresh, calls } = signalIgnoringRefresh();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { client, api } = lateClient(refresh, store);

		const first = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(100);
		expect(first.error).toBeInstanceOf(RefreshError);

		calls[0]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" }); // the server rotated rt-1 long ago
		await vi.advanceTimersByTimeAsync(1);
		expect(store.get()).toEqual({ accessToken: "at-2", refreshToken: "rt-2" });

		const second = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(1);
		expect(second.status).toBe("fulfilled");
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(api.seen.at(-1)!.headers.authorization).toBe("Bearer at-2");
	});

	const sessionChanges: [string, (client: Client) => Promise<void>, TokenSet | null][] = [
		["logout()", (client) => client.logout(), null],
		["signIn() of another user", (client) => client.signIn({ accessToken: "bob-at", refreshToken: "bob-rt" }, "bob"), { accessToken: "bob-at", refreshToken: "bob-rt" }],
	];
	it.each(sessionChanges)("%s while the late call is pending: the wait ends at once and the late tokens are never stored", async (_, change, after) => {
		vi.useFakeTimers();
		const { refresh, calls } = signalIgnoringRefresh();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { client, api } = lateClient(refresh, store);

		const request = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(55); // timed out at 50; waiting for the call (until 100)
		await change(client);
		await vi.advanceTimersByTimeAsync(1);
		// Released by the change of session, not by the end of the wait.
		expect(request.status).toBe(after === null ? "rejected" : "fulfilled");
		if (after === null) expect(request.error).toBeInstanceOf(AuthenticationError);

		calls[0]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" });
		await vi.advanceTimersByTimeAsync(200);

		expect(store.get()).toEqual(after);
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(api.seen.map((seen) => seen.headers.authorization)).not.toContain("Bearer at-2");
		if (after !== null) {
			await client.get("me");
			expect(api.seen.at(-1)!.headers.authorization).toBe("Bearer bob-at");
		}
	});

	it("dispose() while waiting for the late call: the request rejects at once with the client's AbortError, no timer is left, and a late rotation is still stored", async () => {
		vi.useFakeTimers();
		const { refresh, calls } = signalIgnoringRefresh();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const { client } = lateClient(refresh, store);

		const request = track(client.get("me"));
		await vi.advanceTimersByTimeAsync(55);
		client.dispose();
		await vi.advanceTimersByTimeAsync(0);

		expect(request.status).toBe("rejected");
		expect(request.error).toBeInstanceOf(DOMException);
		expect((request.error as DOMException).name).toBe("AbortError");
		expect((request.error as DOMException).message).toBe("The tokenflight client was disposed");
		expect(vi.getTimerCount()).toBe(0);

		// As with a refresh that answers after dispose() in time: the server rotated rt-1, so the next page load must
		// find rt-2, not present rt-1 again.
		calls[0]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" });
		await vi.advanceTimersByTimeAsync(1);
		expect(store.get()).toEqual({ accessToken: "at-2", refreshToken: "rt-2" });
		expect(refresh).toHaveBeenCalledTimes(1);
	});
});
