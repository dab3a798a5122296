// Seed 001, Outline: after "log out of all apps" and a sign-in as someone else at the SSO portal, the SPA's
// stale session 401s on every request in flight; each threw AuthorizationError and became a toast while
// the page was already reloading. tokenflight reloads once and keeps every request pending.
import ky from "ky";
import { describe, expect, it } from "vitest";
import { createClient } from "../../src/index.js";
import { pageCookieJar } from "../helpers/pageFetch.js";
import { browserProfile, isReauthenticating, origin, outcomes, useMockBackend } from "../helpers/scenario.js";
import { memoryStorage } from "../helpers/storage.js";

const { mock } = useMockBackend({ latency: { "documents.list": 5, "auth.info": 5 } });

const routes = ["documents.list", "auth.info", "documents.list"] as const;
const inFlight = (client: { post(path: string, json?: unknown): Promise<unknown> }) =>
	Array.from({ length: 15 }, (_, i) => client.post(routes[i % routes.length]!, { limit: 25 }));

describe("seed 001: Outline stale-session identity switch", () => {
	it("should reload once with zero rejected requests, and the next page load shows the new user (bearer)", async () => {
		const profile = browserProfile();
		await profile.signIn(mock.login("alice"));
		const page = profile.load();
		await page.client.post("auth.info");

		// At the portal: log out of all apps, sign in as Bob.
		const bob = mock.switchIdentity("alice", "bob");
		const result = await outcomes(inFlight(page.client), isReauthenticating(page.client));

		expect(page.reauthenticate).toHaveBeenCalledExactlyOnceWith("refresh-failed");
		expect(result).toMatchObject({ rejected: 0, pending: 15 });
		expect(page.client.session.getSnapshot().status).toBe("reauthenticating");

		// The reload goes through SSO, which hands the SPA Bob's session.
		await profile.signIn(bob);
		const next = profile.load();
		const info = await next.client.post<{ data: { user: { id: string } } }>("auth.info");
		expect(info.data.user.id).toBe("bob");
		expect(next.reauthenticate).not.toHaveBeenCalled();
	});

	it("should reload once with zero rejected requests in cookie mode, where the server clears the stale cookie", async () => {
		const page = pageCookieJar();
		const sessionStorage = memoryStorage();
		const login = () => page.fetch(`${origin}/api/auth.login`, { method: "POST", body: JSON.stringify({ user: "alice", mode: "cookie" }) });
		await login();
		let reloads = 0;
		const open = () =>
			createClient({
				baseUrl: `${origin}/api/`,
				auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: page.read } },
				reauthenticate: () => void reloads++,
				reloadGuard: { storage: sessionStorage, history: null },
				tabs: false,
				ky: { fetch: page.fetch },
			});
		const client = open();
		await client.post("auth.info");

		mock.switchIdentity("alice", "bob");
		const result = await outcomes(inFlight(client), isReauthenticating(client));
		expect(reloads).toBe(1);
		expect(result).toMatchObject({ rejected: 0, pending: 15 });
		expect(page.jar.has("sid")).toBe(false);

		// The portal's SSO signs the reloaded page in as Bob.
		await page.fetch(`${origin}/api/auth.login`, { method: "POST", body: JSON.stringify({ user: "bob", mode: "cookie" }) });
		const info = await open().post<{ data: { user: { id: string } } }>("auth.info");
		expect(info.data.user.id).toBe("bob");
		client.dispose();
	});

	it("should tell the difference: Outline's old ApiClient rejects every request in flight", async () => {
		const tokens = mock.login("alice");
		let reloads = 0;
		// Outline before the fix: on 401, location.replace(...) and throw AuthorizationError, once per request.
		const naive = ky.create({
			prefix: `${origin}/api/`,
			headers: { authorization: `Bearer ${tokens.accessToken}` },
			retry: 0,
			hooks: {
				afterResponse: [
					({ response }) => {
						if (response.status === 401) {
							reloads++;
							throw new Error("AuthorizationError");
						}
					},
				],
			},
		});
		mock.switchIdentity("alice", "bob");
		const result = await outcomes(inFlight({ post: (path, json) => naive.post(path, { json }).json() }));
		expect(result.rejected).toBe(15);
		expect(reloads).toBe(15);
	});
});
