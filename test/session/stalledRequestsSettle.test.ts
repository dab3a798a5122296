// Requests settle where the README says they do: after a failed signIn(), an unstorable re-authentication, dispose().
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client, type ClientOptions, type TokenSet, type TokenStore } from "../../src/index.js";
import { captureUnhandled, settledWithin, sleep, track } from "../helpers/async.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function make(overrides: Partial<ClientOptions> & { store?: TokenStore } = {}) {
	const api = fakeFetch((seen) =>
		seen.headers.authorization === "Bearer dead"
			? new Response(JSON.stringify({ error: "expired" }), { status: 401, headers: { "content-type": "application/json" } })
			: Response.json({ ok: true }),
	);
	const { store = memoryTokenStore({ accessToken: "at-1" }), ...rest } = overrides;
	const client = createClient({
		baseUrl,
		auth: { type: "bearer", store },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch: api.fetch, retry: 0 },
		...rest,
	});
	clients.push(client);
	return { client, api };
}

describe("signIn() that fails", () => {
	// signIn() dispatches "signingIn" (which opens a gate every request waits on) before it writes the tokens. When the
	// write rejects (a token set the client refuses, or a store whose set() throws: IndexedDB quota, a private mode),
	// signIn() rejects but nothing ever closes that gate: every later request waits forever, with no signal to save it.
	it("a signIn() rejected for a malformed token set leaves no later request stalled", async () => {
		const { client, api } = make();
		await expect(client.get("me")).resolves.toEqual({ ok: true });

		await expect(client.signIn({ accessToken: "" })).rejects.toThrow(TypeError);
		const later = track(client.get("me"));
		await settledWithin(later);

		expect(later.status).not.toBe("pending");
		expect(api.seen).toHaveLength(2);
	});

	it("a signIn() whose store write throws leaves no later request stalled", async () => {
		const inner = memoryTokenStore({ accessToken: "at-1" });
		const store: TokenStore = {
			get: () => inner.get(),
			set: () => {
				throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
			},
			clear: () => inner.clear(),
		};
		const { client } = make({ store });

		await expect(client.signIn({ accessToken: "at-2" })).rejects.toThrow(/quota/);
		const later = track(client.get("me"));
		await settledWithin(later);

		expect(later.status).not.toBe("pending");
	});
});

describe("an in-place re-authentication whose result cannot be stored", () => {
	// README, step 5: "If reauthenticate returns a promise … when it resolves the session is authenticated again and the
	// stalled requests are replayed … If that promise rejects, the session is signedOut." When it resolves with
	// something the client refuses (an empty access token from a popup that failed) or the store write throws, the
	// rejection of credentials.store() escapes as an unhandled rejection, the gate is never closed and the session stays
	// `reauthenticating` forever: every request in the app hangs.
	it("a reauthenticate that resolves with an unusable token set leaves no request stalled and the session not reauthenticating forever", async () => {
		await captureUnhandled(async (rejections) => {
			const api = fakeFetch((seen) =>
				seen.headers.authorization === "Bearer good" ? Response.json({ ok: true }) : new Response("{}", { status: 401 }),
			);
			const reauthenticate = vi.fn(async () => ({ accessToken: "" }) as TokenSet);
			const client = fakeFetchClient(clients, api.fetch, {
				auth: { type: "bearer", store: memoryTokenStore({ accessToken: "dead" }) },
				reauthenticate,
			});

			const request = track(client.get("me"));
			await settledWithin(request, 500);

			expect(reauthenticate).toHaveBeenCalledTimes(1);
			expect(request.status).not.toBe("pending");
			expect(client.session.getSnapshot().status).not.toBe("reauthenticating");
			expect(rejections).toEqual([]);
		});
	});

	it("a reauthenticate whose tokens the store fails to write leaves no request stalled", async () => {
		await captureUnhandled(async (rejections) => {
			const api = fakeFetch(() => new Response("{}", { status: 401 }));
			let stored: TokenSet | null = { accessToken: "dead" };
			const store: TokenStore = {
				get: () => stored,
				set: () => Promise.reject(new Error("IndexedDB transaction aborted")),
				clear: () => void (stored = null),
			};
			const client = fakeFetchClient(clients, api.fetch, {
				auth: { type: "bearer", store },
				reauthenticate: async () => ({ accessToken: "fresh" }),
			});

			const request = track(client.get("me"));
			await settledWithin(request, 500);

			expect(request.status).not.toBe("pending");
			expect(rejections).toEqual([]);
		});
	});
});

describe("dispose()", () => {
	// README failure table: "dispose(): stalled, refreshing and later requests … reject with AbortError". A request
	// waiting on the app's stepUp handler (a popup still open), or parked after a stepUp that navigated away, only
	// listens to its own signal: dispose() leaves it pending forever.
	it("dispose() releases a request waiting on a step-up", async () => {
		const api = fakeFetch(
			() =>
				new Response("{}", {
					status: 401,
					headers: { "www-authenticate": 'Bearer error="insufficient_user_authentication", acr_values="mfa"' },
				}),
		);
		const stepUp = vi.fn(() => new Promise<TokenSet>(() => {})); // a popup the user has not finished
		const { client } = make({ stepUp, ky: { fetch: api.fetch, retry: 0 } });

		const request = track(client.get("secret"));
		await vi.waitFor(() => expect(stepUp).toHaveBeenCalledTimes(1));
		client.dispose();
		await settledWithin(request, 300);

		expect(request.status).toBe("rejected");
		expect((request.error as Error).name).toBe("AbortError");
	});

	it("dispose() releases a request parked after a step-up that navigated away", async () => {
		const api = fakeFetch(
			() =>
				new Response("{}", {
					status: 401,
					headers: { "www-authenticate": 'Bearer error="insufficient_user_authentication", acr_values="mfa"' },
				}),
		);
		const { client } = make({ stepUp: async () => undefined, ky: { fetch: api.fetch, retry: 0 } });

		const request = track(client.get("secret"));
		await sleep(50);
		client.dispose();
		await settledWithin(request, 300);

		expect(request.status).toBe("rejected");
		expect((request.error as Error).name).toBe("AbortError");
	});
});

describe("a re-authentication that begins while signIn() is writing", () => {
	// machine.ts: "signingIn" opens a gate (`gate ??= createGate()`) without changing the status, and "reauthenticating"
	// unconditionally replaces the gate (`gate = createGate()`). If a dead-session signal arrives while signIn() is still
	// writing (a slow IndexedDB write; a refresh that fails for the previous account; reportSessionEnded; another tab),
	// requests already waiting on the sign-in's gate are left on an orphaned gate that nothing ever opens or fails:
	// they stay pending after the session is authenticated again, and even after logout().
	it("requests waiting on signIn()'s gate are not orphaned when a re-authentication starts during the write", async () => {
		let tokens: TokenSet | null = { accessToken: "at-1" };
		const store: TokenStore = {
			get: () => tokens,
			set: (next) => sleep(50).then(() => void (tokens = next)),
			clear: () => void (tokens = null),
		};
		const reauthenticate = vi.fn(async () => ({ accessToken: "at-3" }));
		const { client, api } = make({ store, reauthenticate });
		await client.get("me");

		const signingIn = client.signIn({ accessToken: "at-2" });
		const waiting = track(client.get("documents"));
		await sleep(5);
		client.reportSessionEnded("user_suspended");
		await signingIn;
		await sleep(100);

		expect(client.session.getSnapshot().status).toBe("authenticated");
		expect(waiting.status).toBe("fulfilled");
		expect(api.seen.filter((seen) => seen.url.endsWith("/documents"))).toHaveLength(1);
		await client.logout();
		await sleep(10);
		expect(waiting.status).not.toBe("pending");
	});
});
