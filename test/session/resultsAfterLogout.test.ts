// Asynchronous results that outlive the session they began in (README "One owner for the session").
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, memoryTokenStore, type Client, type RefreshFunction, type TokenSet, type TokenStore } from "../../src/index.js";
import { sleep, track } from "../helpers/async.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

const stepUpChallenge = () =>
	new Response("{}", { status: 401, headers: { "www-authenticate": 'Bearer error="insufficient_user_authentication", acr_values="mfa"' } });

describe("a step-up that outlives logout()", () => {
	// README: "Every asynchronous result carries the generation it started in … a refresh that outlives a logout() …
	// never writes its tokens" and "once logout() resolves the store is empty". The step-up handler's tokens are stored
	// with `machine.generation` read *after* the handler resolved (client.ts stepUp()), so a logout() while the step-up
	// popup is open is ignored: the new tokens land in the store of a signed-out session and go out on later requests.
	it("tokens from a step-up that resolves after logout() are neither written to the store nor sent", async () => {
		const api = fakeFetch((seen) => (seen.url.endsWith("/secret") && seen.headers.authorization !== "Bearer at-mfa" ? stepUpChallenge() : Response.json({ ok: true })));
		let finish!: (tokens: TokenSet) => void;
		const stepUp = vi.fn(() => new Promise<TokenSet>((resolve) => (finish = resolve)));
		const store = memoryTokenStore({ accessToken: "at-1" });
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "bearer", store },
			stepUp,
			reauthenticate: () => undefined,
		});

		const stepped = track(client.get("secret"));
		await vi.waitFor(() => expect(stepUp).toHaveBeenCalledTimes(1));
		await client.logout();
		expect(store.get()).toBeNull();

		finish({ accessToken: "at-mfa" });
		await sleep(50);
		await client.get("after-logout").catch(() => undefined);

		expect(client.session.getSnapshot().status).toBe("signedOut");
		expect(store.get()).toBeNull();
		const sentAfterLogout = api.seen.slice(1).map((seen) => seen.headers.authorization ?? null);
		expect(sentAfterLogout.filter((value) => value !== null)).toEqual([]);
		expect(stepped.status).not.toBe("fulfilled");
	});
});

describe("auth: \"neutral\" across logout()", () => {
	// The trusted loop re-checks the generation after `credentials.prepare()` and drops tokens read before a logout.
	// The neutral path (client.ts request(), `init.auth === "neutral"`) reads the tokens, then send() takes the
	// generation *after* that read, so `isCurrent()` compares the post-logout generation with itself: a token read
	// just before logout() still goes out after logout() has resolved. README: "credentials of a session that ended
	// meanwhile never go out".
	it("a neutral request whose token read straddles logout() does not send the old token after logout() resolved", async () => {
		const api = fakeFetch(() => Response.json({ ok: true }));
		let tokens: TokenSet | null = { accessToken: "at-old" };
		// A store whose reads take a moment (IndexedDB): the read returns what was there when it began.
		const store: TokenStore = {
			get: () => {
				const snapshot = tokens;
				return sleep(30).then(() => snapshot);
			},
			set: (next) => void (tokens = next),
			clear: () => void (tokens = null),
		};
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "bearer", store },
			reauthenticate: () => undefined,
		});

		const shared = client.get("share/abc", { auth: "neutral" });
		await sleep(5); // the store read is under way
		await client.logout();
		const loggedOutAt = api.seen.length;
		await shared;

		expect(loggedOutAt).toBe(0);
		expect(api.seen.map((seen) => seen.headers.authorization ?? null)).toEqual([null]);
	});
});

describe("a request waiting on a refresh across logout() and a new signIn()", () => {
	// README failure table: "logout() while a refresh … is in flight: the late tokens are dropped; waiting requests get
	// AuthenticationError". The waiting request only looks at the session once the refresh settles; the refresher reports
	// "superseded", recover() turns that into "retry", and if a new user has signed in by then the request is simply sent
	// again with the *new* user's token. Alice's POST (made, and refused with 401, under her session) runs on Bob's account.
	it("a POST that met a 401 under one user is not replayed with the next user's token", async () => {
		const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer alice-expired" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
		let finishRefresh!: (tokens: TokenSet) => void;
		const refresh = vi.fn<RefreshFunction>(() => new Promise<TokenSet>((resolve) => (finishRefresh = resolve)));
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "alice-expired", refreshToken: "alice-rt" }), refresh },
			reauthenticate: () => undefined,
		});

		const transfer = track(client.post("payments.transfer", { to: "mallory", amount: 100 }));
		await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
		await client.logout();
		await client.signIn({ accessToken: "bob-token", refreshToken: "bob-rt" }, "bob");
		finishRefresh({ accessToken: "alice-new", refreshToken: "alice-rt-2" });
		await sleep(50);

		const transfers = api.seen.filter((seen) => seen.url.endsWith("/payments.transfer")).map((seen) => seen.headers.authorization);
		expect(transfers).toEqual(["Bearer alice-expired"]);
		expect(transfer.status).toBe("rejected");
		expect(transfer.error).toBeInstanceOf(AuthenticationError);
	});
});
