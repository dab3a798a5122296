import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMockAuthServer } from "../../src/msw/index.js";

const origin = "https://app.example";
const api = `${origin}/api`;
const mock = createMockAuthServer();
const server = setupServer(...mock.handlers);

beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => mock.reset());
afterAll(() => server.close());

function sso(body: unknown = {}) {
	return fetch(`${api}/auth.sso`, { method: "POST", body: JSON.stringify(body) });
}

function whoAmI(accessToken: string) {
	return fetch(`${api}/auth.info`, { headers: { authorization: `Bearer ${accessToken}` } }).then((response) => response.headers.get("x-user-id"));
}

describe("SSO portal", () => {
	it("auth.sso answers 401 portal_signed_out while nobody is signed in at the portal", async () => {
		const response = await sso();
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ error: "portal_signed_out" });
	});

	it("auth.sso exchanges the portal's session for tokens of the portal's user", async () => {
		mock.setPortalUser("alice");

		const response = await sso();
		const body = await response.json();

		expect(response.status).toBe(200);
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), user: { id: "alice", name: "Alice" } });
		expect(await whoAmI(body.accessToken)).toBe("alice");
	});

	it("switchIdentity signs the new user in at the portal: the next exchange is theirs, the old tokens are dead", async () => {
		mock.setPortalUser("alice");
		const alice = await (await sso()).json();

		mock.switchIdentity("alice", "bob");
		const bob = await (await sso()).json();

		expect(mock.portalUser).toBe("bob");
		expect(bob.user.id).toBe("bob");
		expect(await whoAmI(bob.accessToken)).toBe("bob");
		expect((await fetch(`${api}/auth.info`, { headers: { authorization: `Bearer ${alice.accessToken}` } })).status).toBe(401);
	});

	it("setPortalUser(null) signs the portal out without ending the app's sessions", async () => {
		mock.setPortalUser("alice");
		const alice = await (await sso()).json();

		mock.setPortalUser(null);

		expect((await sso()).status).toBe(401);
		expect(await whoAmI(alice.accessToken)).toBe("alice");
	});

	it("auth.sso in cookie mode also sets the sid and CSRF cookies", async () => {
		mock.setPortalUser("bob");
		const response = await sso({ mode: "cookie" });
		const body = await response.json();
		expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^sid=ses_\w+; Path=\/; HttpOnly/), `csrfToken=${body.csrfToken}; Path=/; SameSite=Lax`]);
	});

	it("GET auth.portal names the portal's user without starting a session", async () => {
		const before = await (await fetch(`${api}/auth.portal`)).json();
		mock.setPortalUser("bob");
		const after = await (await fetch(`${api}/auth.portal`)).json();

		expect(before).toEqual({ data: { user: null } });
		expect(after).toEqual({ data: { user: { id: "bob", name: "Bob" } } });
		expect(mock.counters.requestsTo("portal")).toBe(2);
		expect(mock.counters.requestsTo("sso")).toBe(0);
	});

	it("refuses an unknown portal user", () => {
		expect(() => mock.setPortalUser("mallory")).toThrow(/Unknown user "mallory"/);
		expect(() => mock.switchIdentity("alice", "mallory")).toThrow(/Unknown user/);
	});

	it("reset signs the portal out", async () => {
		mock.setPortalUser("alice");
		mock.reset();
		expect(mock.portalUser).toBeNull();
	});
});
