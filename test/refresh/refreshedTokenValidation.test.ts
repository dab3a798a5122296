// A refresh that answers garbage.
// README failure table: "refresh returns garbage → RefreshError; that refresh token is never sent again; session
// unchanged". And: "stored access token … with CR, LF, NUL or non-Latin-1 characters → InvalidCredentialError; nothing
// is sent; session unchanged".
import { afterEach, describe, expect, it, vi } from "vitest";
import { RefreshError, memoryTokenStore, oauthRefresh, type Client } from "../../src/index.js";
import { settledWithin, track } from "../helpers/async.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

describe("a refreshed access token that cannot be a header value", () => {
	// The refresher only checks isTokenSet() (a non-empty string), so a token endpoint answering
	// `"access_token": "eyJ… "` (trailing space) or one with a newline is stored as a success. From then on every request
	// throws InvalidCredentialError before anything is sent: no 401 ever comes back, so nothing refreshes or
	// re-authenticates, and with a persistent store (localStorage, IndexedDB) a reload does not help either. The client
	// is bricked until the app calls logout()/signIn() itself.
	it("does not store a refreshed token with a trailing space, after which every request would fail with InvalidCredentialError forever", async () => {
		const tokenEndpoint = fakeFetch(() => Response.json({ access_token: "at-2 ", token_type: "Bearer", refresh_token: "rt-2", expires_in: 3600 }));
		const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
		const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
		const reauthenticate = vi.fn(() => undefined);
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "bearer", store, refresh: oauthRefresh({ tokenEndpoint: "https://id.example/token", clientId: "spa", fetch: tokenEndpoint.fetch }) },
			reauthenticate,
		});

		const first = await client.get("me").catch((error: unknown) => error);
		// After a proper RefreshError the next 401 may re-authenticate (and stall): only an InvalidCredentialError is wrong.
		const later = track(client.get("me"));
		await settledWithin(later, 300);

		expect(first).toBeInstanceOf(RefreshError);
		expect((await store.get())?.accessToken).not.toBe("at-2 ");
		expect((later.error as Error | undefined)?.name).not.toBe("InvalidCredentialError");
	});
});
