// A request refreshes ahead of an expiring token; when that refresh fails (the token endpoint down, another tab's call
// that hangs), the request still goes out, since the token may work. If the server then refuses it, the request fails
// with the refresh's own error: it does not wait through a second refresh of its own.
import { afterEach, expect, it, vi } from "vitest";
import { AuthenticationError, memoryTokenStore, NetworkError, type Client, type RefreshFunction, type TokenSet } from "../../src/index.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

it("should fail with the refresh's error at the 401, after one refresh flight, and keep the session", async () => {
	const refresh = vi.fn<RefreshFunction>(async () => {
		throw Object.assign(new Error("Service Unavailable"), { status: 503 });
	});
	const api = fakeFetch(() => Response.json({ error: "expired" }, { status: 401 }));
	const reauthenticate = vi.fn(() => undefined);
	const client = fakeFetchClient(clients, api.fetch, {
		auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1", expiresAt: Date.now() + 1_000 }), refresh, refreshRetry: { limit: 1, delayMs: 1 } },
		reauthenticate,
	});

	const error = await client.get("me").catch((caught: unknown) => caught);

	expect(error).toBeInstanceOf(NetworkError);
	// One flight: the first call and its one retry.
	expect(refresh).toHaveBeenCalledTimes(2);
	expect(api.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer at-1"]);
	expect(reauthenticate).not.toHaveBeenCalled();
	expect(client.session.getSnapshot().status).not.toBe("signedOut");

	// The next request is a request of its own: it refreshes again.
	await client.get("me").catch(() => undefined);
	expect(refresh).toHaveBeenCalledTimes(4);
});

const unavailable = async (): Promise<TokenSet> => {
	throw Object.assign(new Error("Service Unavailable"), { status: 503 });
};

it("should judge a 401 for a token stored meanwhile on its own: the refused token's failed refresh does not decide it", async () => {
	const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1", expiresAt: Date.now() + 1_000 });
	// Another tab stores at-2 while at-1 is out; the server has revoked the session and refuses both.
	const api = fakeFetch(async (seen) => {
		if (seen.headers.authorization === "Bearer at-1") await store.set({ accessToken: "at-2", refreshToken: "rt-2", expiresAt: Date.now() + 3_600_000 });
		return Response.json({ error: "invalid_token" }, { status: 401 });
	});
	const onSignedOut = vi.fn();
	const client = fakeFetchClient(clients, api.fetch, {
		auth: { type: "bearer", store, refresh: vi.fn<RefreshFunction>(unavailable), refreshRetry: { limit: 0, delayMs: 1 } },
		onSessionEnded: "signOut",
		onSignedOut,
	});

	const error = await client.get("me").catch((caught: unknown) => caught);

	expect(api.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer at-1", "Bearer at-2"]);
	expect(error).toBeInstanceOf(AuthenticationError);
	expect(onSignedOut).toHaveBeenCalledWith("unauthorized");
});

it("should refresh a token stored meanwhile that is itself expiring, though the first token's refresh failed", async () => {
	const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1", expiresAt: Date.now() + 1_000 });
	const api = fakeFetch(async (seen) => {
		if (seen.headers.authorization === "Bearer at-1") await store.set({ accessToken: "at-2", refreshToken: "rt-2", expiresAt: Date.now() - 1 });
		return seen.headers.authorization === "Bearer at-3" ? Response.json({ ok: true }) : Response.json({ error: "invalid_token" }, { status: 401 });
	});
	const refresh = vi.fn<RefreshFunction>(unavailable).mockImplementationOnce(unavailable).mockImplementation(async () => ({ accessToken: "at-3", refreshToken: "rt-3", expiresAt: Date.now() + 3_600_000 }));
	const client = fakeFetchClient(clients, api.fetch, { auth: { type: "bearer", store, refresh, refreshRetry: { limit: 0, delayMs: 1 } } });

	await expect(client.get("me")).resolves.toEqual({ ok: true });
	expect(api.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer at-1", "Bearer at-3"]);
});

it("should not carry an older session's failed refresh into the session a signIn began meanwhile", async () => {
	const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1", expiresAt: Date.now() + 1_000 });
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	const presented: (string | undefined)[] = [];
	const refresh = vi.fn<RefreshFunction>(async ({ refreshToken }) => {
		presented.push(refreshToken);
		if (refreshToken === "rt-1") {
			await gate;
			return unavailable();
		}
		return { accessToken: "at-new2", refreshToken: "rt-new2", expiresAt: Date.now() + 3_600_000 };
	});
	const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-new2" ? Response.json({ ok: true }) : Response.json({ error: "invalid_token" }, { status: 401 })));
	const client = fakeFetchClient(clients, api.fetch, { auth: { type: "bearer", store, refresh, refreshRetry: { limit: 0, delayMs: 1 } }, onSessionEnded: "signOut" });

	const pending = client.get("me").catch((caught: unknown) => caught);
	await vi.waitFor(() => expect(presented).toEqual(["rt-1"]));
	// Within the refresh leeway: the new session's token is refreshed ahead too.
	await client.signIn({ accessToken: "at-new", refreshToken: "rt-new", expiresAt: Date.now() + 10_000 });
	release();

	expect(await pending).toEqual({ ok: true });
	expect(presented).toEqual(["rt-1", "rt-new"]);
});
