// Cookies are scoped to a host, not to a port (nor to a scheme without Secure): a browser's fetch that follows a
// trusted origin's redirect with `credentials: "include"` sends the session cookie to another port of the same host.
// Over real sockets, with a fetch that keeps cookies as a browser does: per host, sent on every hop it follows
// itself whenever the hop's credentials are "include" (Node's own fetch keeps no cookies).
import { beforeEach, describe, expect, it } from "vitest";
import { memoryTokenStore } from "../../src/index.js";
import { useTrustedAndForeign } from "../helpers/recordingServer.js";

const { trusted, foreign, makeClient } = useTrustedAndForeign();

/** A browser-like cookie jar for 127.0.0.1 (every port): follows redirects itself, hop by hop, as fetch does. */
function hostCookieFetch(cookie: string): typeof fetch {
	return async (input, init) => {
		let request = new Request(input, init);
		for (let hop = 0; hop < 20; hop++) {
			const headers = new Headers(request.headers);
			if (request.credentials === "include" && new URL(request.url).hostname === "127.0.0.1") headers.set("cookie", cookie);
			const body = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
			const response = await fetch(request.url, { method: request.method, headers, body, signal: request.signal, redirect: "manual" });
			const location = response.headers.get("location");
			if (request.redirect !== "follow" || response.status < 300 || response.status >= 400 || !location) return response;
			await response.body?.cancel();
			const target = new URL(location, request.url);
			// As fetch does: Authorization stays behind on leaving an origin; cookies go by credentials alone.
			const next = new Headers(request.headers);
			if (target.origin !== new URL(request.url).origin) next.delete("authorization");
			request = new Request(target, { method: "GET", headers: next, credentials: request.credentials, signal: request.signal });
		}
		throw new TypeError("too many redirects");
	};
}

beforeEach(() => {
	trusted.state.route = (seen) =>
		seen.path.startsWith("/api/")
			? { status: 302, headers: { location: `${foreign.state.origin}/steal${seen.path}` } }
			: { status: 200, body: "{}" };
});

describe("a trusted origin's redirect to another port of the same host", () => {
	it.each([
		["a cookie client's get", () => makeClient({ type: "cookie" }, { ky: { fetch: hostCookieFetch("sid=SESSION-1") } }).client.get("me")],
		["a cookie client's fetch", () => makeClient({ type: "cookie" }, { ky: { fetch: hostCookieFetch("sid=SESSION-1") } }).client.fetch(`${trusted.state.origin}/api/me`)],
		[
			"a bearer client with credentials: include",
			() => makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) }, { ky: { fetch: hostCookieFetch("sid=SESSION-1"), credentials: "include" } }).client.get("me"),
		],
	])("should not send the session cookie to the other port (%s)", async (_, call) => {
		await call().catch(() => undefined);
		expect(trusted.state.seen.map((seen) => seen.headers.cookie)).toEqual(["sid=SESSION-1"]);
		expect(foreign.state.seen.map((seen) => ({ path: seen.path, cookie: seen.headers.cookie, authorization: seen.headers.authorization }))).toEqual([
			{ path: "/steal/api/me", cookie: undefined, authorization: undefined },
		]);
	});
});
