// A config mistake is a TypeError at createClient naming the option, what it got and what it takes, instead of a
// NetworkError after retries, a sign-out with no hint, or a raw TypeError from deep inside.
import { describe, expect, it } from "vitest";
import { AuthenticationError, createClient, memoryTokenStore, oauthRefresh, type ClientOptions } from "../../src/index.js";
import { createClient as createCookieClient } from "../../src/cookie/index.js";

const baseUrl = "https://app.example/api/";
const store = () => memoryTokenStore({ accessToken: "access-1", refreshToken: "refresh-1" });
const answer401 = { fetch: async () => new Response(null, { status: 401 }) };

/** createClient with options the types would refuse: what a JavaScript app or a loose cast passes. */
function create(options: unknown) {
	return () => createClient(options as ClientOptions);
}

describe("createClient checks its options at once", () => {
	it("refuses oauthRefresh's options object given as `refresh`, and says to call oauthRefresh", () => {
		const refresh = { tokenEndpoint: "https://app.example/oauth/token", clientId: "web", clientSecret: "s3cret" };
		const build = create({ baseUrl, auth: { type: "bearer", store: store(), refresh } });
		expect(build).toThrow(TypeError);
		expect(build).toThrow(/`auth\.refresh` got an object with keys tokenEndpoint, clientId, clientSecret; it takes a function .*oauthRefresh\(\{ tokenEndpoint, clientId \}\)/);
		expect(build).not.toThrow(/s3cret/);
	});

	it('refuses type "Bearer" and names the lower-case values it takes', () => {
		expect(create({ baseUrl, auth: { type: "Bearer", store: store() } })).toThrow(/`auth\.type` got "Bearer"; it takes "bearer" or "cookie" \(lower case\)/);
	});

	it("refuses a bearer auth without a store, and names the stores it takes", () => {
		expect(create({ baseUrl, auth: { type: "bearer" } })).toThrow(/`auth\.store` got undefined; it takes a token store with get, set and clear: memoryTokenStore\(\)/);
		expect(create({ baseUrl, auth: { type: "bearer", store: {} } })).toThrow(/`auth\.store` got an object with keys none/);
	});

	it("refuses a missing auth with the two shapes it takes", () => {
		const build = create({ baseUrl });
		expect(build).toThrow(TypeError);
		expect(build).toThrow(/`auth` got undefined; it takes \{ type: "bearer", store, refresh \} or \{ type: "cookie", csrf\? \}/);
	});

	it("refuses a trustedOrigins entry without a scheme, naming its index and an example origin", () => {
		for (const entry of ["files.example", "localhost:3000"]) {
			const build = create({ baseUrl, auth: { type: "cookie" }, trustedOrigins: ["https://ok.example", entry] });
			expect(build).toThrow(`\`trustedOrigins[1]\` got ${JSON.stringify(entry)}; it takes an origin with its scheme, e.g. "https://files.example"`);
		}
	});

	it("never quotes user info a trustedOrigins entry carries", () => {
		expect(create({ baseUrl, auth: { type: "cookie" }, trustedOrigins: ["alice:pa55@files.example"] })).toThrow(/got "…@files\.example"/);
	});

	it("refuses a missing baseUrl and an unknown onSessionEnded", () => {
		expect(create({ auth: { type: "cookie" } })).toThrow(/`baseUrl` got undefined; it takes the API's URL/);
		expect(create({ baseUrl, auth: { type: "cookie" }, onSessionEnded: "logout" })).toThrow(/`onSessionEnded` got "logout"; it takes "reauthenticate", "signOut"/);
	});

	it("checks tokenflight/cookie's createClient too", () => {
		expect(() => createCookieClient({ baseUrl, auth: { type: "Cookie" } } as never)).toThrow(/`auth\.type` got "Cookie"; it takes "cookie" in tokenflight\/cookie/);
		expect(() => createCookieClient({ baseUrl, auth: { type: "cookie" }, trustedOrigins: ["files.example"] })).toThrow(/`trustedOrigins\[0\]` got "files\.example"/);
	});

	it("accepts what the README shows", () => {
		const refresh = oauthRefresh({ tokenEndpoint: "https://app.example/oauth/token", clientId: "web" });
		createClient({ baseUrl, auth: { type: "bearer", store: store(), refresh }, tabs: false, trustedOrigins: ["https://files.example", "http://127.0.0.1:8080"] }).dispose();
		createClient({ baseUrl: new URL(baseUrl), auth: { type: "cookie", csrf: { cookie: "csrf", header: "x-csrf-token" } }, onSessionEnded: "signOut", tabs: false }).dispose();
	});
});

describe("bearer without refresh", () => {
	it("is allowed, and the AuthenticationError of the session it ends says no `refresh` was given", async () => {
		const client = createClient({ baseUrl, auth: { type: "bearer", store: store() }, ky: answer401, tabs: false, reloadGuard: { storage: null, history: null } });
		const error = await client.get("me").catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(AuthenticationError);
		expect((error as Error).message).toMatch(/No `refresh` was given in createClient's bearer auth.*oauthRefresh/);
		expect(client.session.getSnapshot().status).toBe("signedOut");
		client.dispose();
	});

	it("says nothing of refresh after the app's own logout()", async () => {
		const client = createClient({ baseUrl, auth: { type: "bearer", store: store() }, ky: answer401, tabs: false, reloadGuard: { storage: null, history: null } });
		await client.logout();
		const error = await client.get("me").catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(AuthenticationError);
		expect((error as Error).message).not.toMatch(/refresh/);
		client.dispose();
	});

	it("says nothing of refresh when a refresh was given", async () => {
		const refresh = async () => null;
		const client = createClient({ baseUrl, auth: { type: "bearer", store: store(), refresh }, ky: answer401, tabs: false, reloadGuard: { storage: null, history: null } });
		const error = await client.get("me").catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(AuthenticationError);
		expect((error as Error).message).not.toMatch(/No `refresh`/);
		client.dispose();
	});
});
