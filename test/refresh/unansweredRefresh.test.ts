// A refresh call that got no answer (fetch's TypeError, the refresh function's own timeout) may have been processed:
// the server may have rotated the refresh token before the connection broke. The flight never presents that token
// again; it uses tokens stored meanwhile (another tab, a late write), or fails with the typed error, signing nobody out.
import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryTokenStore, NetworkError, TimeoutError, type Client, type RefreshFunction, type TokenSet } from "../../src/index.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

/** A token server that rotates on every grant it processes and detects reuse by revoking the family. */
function rotatingServer() {
	const live = new Set(["rt-1"]);
	const presented: string[] = [];
	let revoked = false;
	let n = 1;
	const grant = (refreshToken: string | undefined): TokenSet => {
		presented.push(String(refreshToken));
		if (revoked || refreshToken === undefined || !live.has(refreshToken)) {
			revoked = true;
			throw Object.assign(new Error("invalid_grant"), { status: 400 });
		}
		live.delete(refreshToken);
		n++;
		live.add(`rt-${n}`);
		return { accessToken: `at-${n}`, refreshToken: `rt-${n}` };
	};
	return { grant, presented, revoked: () => revoked };
}

function setup(refresh: RefreshFunction, store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" })) {
	const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? Response.json({}, { status: 401 }) : Response.json({ ok: true })));
	const reauthenticate = vi.fn(() => undefined);
	const client = fakeFetchClient(clients, api.fetch, { auth: { type: "bearer", store, refresh, refreshRetry: { limit: 2, delayMs: 1 } }, reauthenticate });
	return { client, api, store, reauthenticate };
}

describe.each([
	["fetch's TypeError", () => new TypeError("fetch failed"), NetworkError],
	["the refresh function's own timeout", () => Object.assign(new Error("request timed out"), { name: "TimeoutError" }), TimeoutError],
])("a refresh the server processed, lost to %s", (_, lost, type) => {
	it("never presents the same refresh token again, and fails with a typed error", async () => {
		const server = rotatingServer();
		let calls = 0;
		const refresh = vi.fn<RefreshFunction>(async ({ refreshToken }) => {
			const tokens = server.grant(refreshToken);
			if (++calls === 1) throw lost();
			return tokens;
		});
		const { client, reauthenticate } = setup(refresh);

		const error = await client.get("me").catch((caught: unknown) => caught);

		expect(server.presented).toEqual(["rt-1"]);
		expect(server.revoked()).toBe(false);
		expect(error).toBeInstanceOf(type);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("signedOut");
	});

	it("uses the tokens stored meanwhile (another tab's, a late write) instead of presenting it again", async () => {
		const server = rotatingServer();
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const refresh = vi.fn<RefreshFunction>(async ({ refreshToken }) => {
			// Another tab's refresh lands while this call is failing.
			await store.set(server.grant(refreshToken));
			throw lost();
		});
		const { client, api } = setup(refresh, store);

		await expect(client.get("me")).resolves.toEqual({ ok: true });

		expect(server.presented).toEqual(["rt-1"]);
		expect(api.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer at-1", "Bearer at-2"]);
	});
});
