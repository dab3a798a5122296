// msw 3's cookie handling in Node, which the mock's cookie sessions rely on: a mocked Set-Cookie is not stored and
// `credentials` is not honoured, so a browser-like fetch (test/helpers/pageFetch.ts) keeps the cookie jar. msw 2 keeps
// every mocked Set-Cookie in a process-wide store instead, so the msw2 project leaves this file out (vitest.config.ts).
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { pageCookieJar } from "../helpers/pageFetch.js";
import { origin, useMockBackend } from "../helpers/scenario.js";

const api = `${origin}/api`;
const { mock, server } = useMockBackend();

describe("cookie sessions", () => {
	it("a browser-like client that omits credentials on bearer calls keeps its cookie session", async () => {
		const browser = pageCookieJar();
		const login = await (await browser.fetch(`${api}/auth.login`, { method: "POST", body: JSON.stringify({ user: "alice", mode: "cookie" }) })).json();
		const bearerCall = (credentials: RequestCredentials) =>
			browser.fetch(`${api}/auth.info`, { method: "POST", credentials, headers: { authorization: `Bearer ${login.accessToken}` } });

		expect(browser.jar.has("sid")).toBe(true);
		expect((await bearerCall("omit")).status).toBe(200);
		expect(mock.counters.cookieSessionLogouts).toBe(0);
		expect((await bearerCall("include")).status).toBe(401);
		expect(mock.counters.cookieSessionLogouts).toBe(1);
		expect(browser.jar.has("sid")).toBe(false);
	});

	it("msw in Node neither stores a mocked Set-Cookie nor honours credentials, hence the browser-like fetch", async () => {
		server.use(http.get(`${origin}/echo-cookies`, ({ cookies }) => HttpResponse.json(cookies)));
		await fetch(`${api}/auth.login`, { method: "POST", credentials: "include", body: JSON.stringify({ user: "alice", mode: "cookie" }) });

		const echoed = await (await fetch(`${origin}/echo-cookies`, { credentials: "include" })).json();
		const explicit = await (await fetch(`${origin}/echo-cookies`, { credentials: "omit", headers: { cookie: "sid=x" } })).json();

		expect(echoed).toEqual({});
		expect(explicit).toEqual({ sid: "x" });
	});
});
