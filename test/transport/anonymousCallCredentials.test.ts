// An `auth: false` call (a login form, a public config) carries no credential of the client's own, but the caller's
// `credentials` option still counts.
import { describe, expect, it } from "vitest";
import { memoryTokenStore } from "../../src/index.js";
import { fakeServer, json, useFakeServerClients } from "../helpers/headerRecordingFetch.js";

const client = useFakeServerClients();

describe("auth: false honours the caller's credentials", () => {
	it("should send a bearer client's auth: false call with credentials: include when asked, and omit by default", async () => {
		const server = fakeServer(() => json({ ok: true }));
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "secret-at" }) } });
		await c.post("auth.login", { user: "alice" }, { auth: false, credentials: "include" });
		await c.post("auth.login", { user: "alice" }, { auth: false });
		expect(server.seen.map((s) => [s.credentials, s.authorization])).toEqual([
			["include", null],
			["omit", null],
		]);
	});

	it("should send a cookie client's login call (auth: false) with credentials: include when asked", async () => {
		const server = fakeServer(() => json({ ok: true }));
		const c = client(server.fetch, { auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-1" } } });
		await c.post("auth.login", { user: "alice" }, { auth: false, credentials: "include" });
		await c.post("auth.login", { user: "alice" }, { auth: false });
		expect(server.seen.map((s) => s.credentials)).toEqual(["include", "omit"]);
	});
});

