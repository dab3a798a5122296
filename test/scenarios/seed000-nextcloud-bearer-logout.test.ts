// Seed 000, Nextcloud: a bearer-authenticated API call that also carried the browser's session cookie,
// without a CSRF token, made the server log that session out. tokenflight's bearer requests send no
// cookies unless asked, so the page's cookie session survives.
import { describe, expect, it } from "vitest";
import { createClient, memoryTokenStore } from "../../src/index.js";
import { pageCookieJar } from "../helpers/pageFetch.js";
import { origin, useMockBackend } from "../helpers/scenario.js";

const { mock } = useMockBackend();

async function pageWithCookieSession() {
	const page = pageCookieJar();
	await page.fetch(`${origin}/api/auth.login`, { method: "POST", body: JSON.stringify({ user: "alice", mode: "cookie" }) });
	return page;
}

describe("seed 000: Nextcloud bearer calls must not carry the session cookie", () => {
	it("should never trigger the cookie-session logout in bearer mode", async () => {
		const page = await pageWithCookieSession();
		const tokens = mock.login("alice", { device: "mcp-client" });
		const client = createClient({
			baseUrl: `${origin}/api/`,
			auth: { type: "bearer", store: memoryTokenStore(tokens) },
			tabs: false,
			ky: { fetch: page.fetch },
		});
		await Promise.all([client.post("documents.list"), client.post("documents.create", { title: "Notes" }), client.get("auth.info")]);
		expect(mock.counters.cookieSessionLogouts).toBe(0);
		// The web UI's cookie session still works.
		const cookieCall = await page.fetch(`${origin}/api/documents.list`, { method: "POST", headers: { "x-csrf-token": page.read("csrfToken")! }, body: "{}" });
		expect(cookieCall.status).toBe(200);
	});

	it("should tell the difference: a bearer call that sends cookies gets the session logged out", async () => {
		const page = await pageWithCookieSession();
		const tokens = mock.login("alice", { device: "mcp-client" });
		const response = await page.fetch(`${origin}/api/documents.list`, { method: "POST", headers: { authorization: `Bearer ${tokens.accessToken}` }, body: "{}" });
		expect(response.status).toBe(401);
		expect(mock.counters.cookieSessionLogouts).toBe(1);
	});
});
