// A request refreshes ahead of an expiring token; when that refresh fails (the token endpoint down, another tab's call
// that hangs), the request still goes out, since the token may work. If the server then refuses it, the request fails
// with the refresh's own error: it does not wait through a second refresh of its own.
import { afterEach, expect, it, vi } from "vitest";
import { memoryTokenStore, NetworkError, type Client, type RefreshFunction } from "../../src/index.js";
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
