// A trusted origin's redirect, or a hook's rewrite, to a foreign origin carries no credential. Over real sockets: two
// node:http servers on 127.0.0.1 (two ports, so two origins) and Node's own fetch. No msw here: msw's interceptor would rebuild the requests and
// answer redirects itself, hiding what a real fetch forwards to the redirect target.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, HttpError, memoryTokenStore } from "../../src/index.js";
import { useTrustedAndForeign, type Seen } from "../helpers/recordingServer.js";

const { trusted, foreign, makeClient } = useTrustedAndForeign();

/** The trusted API: /api/redirect/<rest> answers `redirectStatus` to the foreign origin's /<rest>; the rest is 200. */
let redirectStatus = 307;
beforeEach(() => {
	redirectStatus = 307;
	trusted.state.route = (seen) =>
		seen.path.startsWith("/api/redirect/")
			? { status: redirectStatus, headers: { location: `${foreign.state.origin}/${seen.path.slice("/api/redirect/".length)}` } }
			: { status: 200, body: JSON.stringify({ ok: true }) };
});

const csrf = { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-1" };

/** Waits (bounded) for a promise to settle; on the old code a request that stalled on re-authentication stays pending. */
async function outcome<T>(promise: Promise<T>, ms = 2_000) {
	const state: { status: "pending" | "fulfilled" | "rejected"; value?: T; error?: unknown } = { status: "pending" };
	promise.then(
		(value) => Object.assign(state, { status: "fulfilled", value }),
		(error: unknown) => Object.assign(state, { status: "rejected", error }),
	);
	for (let waited = 0; state.status === "pending" && waited < ms; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
	return state;
}

const credentialHeaders = (seen: Seen) => ({ authorization: seen.headers.authorization, cookie: seen.headers.cookie, csrf: seen.headers["x-csrf-token"] });
const noCredentials = { authorization: undefined, cookie: undefined, csrf: undefined };

describe("a trusted origin's redirect to a foreign origin", () => {
	it.each([307, 308])("should not forward the CSRF header, Authorization or cookies to the foreign origin (cookie mode, %i)", async (status) => {
		redirectStatus = status;
		const { client } = makeClient({ type: "cookie", csrf });
		await client.post("redirect/collect", { title: "x" }).catch(() => undefined);
		// The trusted origin did get the CSRF header: the client is configured to send it.
		expect(trusted.state.seen.map((seen) => [seen.method, seen.path, seen.headers["x-csrf-token"]])).toEqual([["POST", "/api/redirect/collect", "csrf-1"]]);
		for (const seen of foreign.state.seen) expect(credentialHeaders(seen)).toEqual(noCredentials);
	});

	it("should answer a 401 from the foreign final URL with a plain HttpError, without refresh or reauthenticate (bearer)", async () => {
		foreign.state.route = () => ({ status: 401, body: JSON.stringify({ error: "unauthorized" }) });
		const refresh = vi.fn(async () => ({ accessToken: "fresh-at" }));
		const { client, reauthenticate } = makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "secret-at", refreshToken: "rt" }), refresh });
		await client.get("me");
		expect(client.session.getSnapshot().status).toBe("authenticated");

		const result = await outcome(client.get("redirect/resource"));
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(result.status).toBe("rejected");
		expect(result.error).toBeInstanceOf(HttpError);
		expect(result.error).not.toBeInstanceOf(AuthenticationError);
		expect((result.error as HttpError).status).toBe(401);
		expect(client.session.getSnapshot().status).toBe("authenticated");
		expect(trusted.state.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer secret-at", "Bearer secret-at"]);
		expect(foreign.state.seen).toHaveLength(1);
		expect(credentialHeaders(foreign.state.seen[0]!)).toEqual(noCredentials);
	});

	it("should answer a 401 from the foreign final URL with a plain HttpError, without reauthenticate (cookie mode)", async () => {
		foreign.state.route = () => ({ status: 401, body: JSON.stringify({ error: "unauthorized" }) });
		const { client, reauthenticate } = makeClient({ type: "cookie", csrf });
		await client.get("me");
		const before = client.session.getSnapshot().status;

		const result = await outcome(client.post("redirect/resource", { title: "x" }));
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(result.status).toBe("rejected");
		expect(result.error).toBeInstanceOf(HttpError);
		expect(result.error).not.toBeInstanceOf(AuthenticationError);
		expect((result.error as HttpError).status).toBe(401);
		expect(client.session.getSnapshot().status).toBe(before);
		expect(trusted.state.seen.at(-1)?.headers["x-csrf-token"]).toBe("csrf-1");
		expect(foreign.state.seen).toHaveLength(1);
		expect(credentialHeaders(foreign.state.seen[0]!)).toEqual(noCredentials);
	});
});

describe("a beforeRequest hook that rewrites the URL to another origin (node:http)", () => {
	/** Sends /api/export/<rest> to the foreign origin's /export/<rest>, keeping method, headers and body. */
	const toForeign = async ({ request }: { request: Request }) => {
		const url = new URL(request.url);
		if (!url.pathname.startsWith("/api/export/")) return undefined;
		const body = request.method === "GET" || request.method === "HEAD" ? null : await request.clone().arrayBuffer();
		return new Request(`${foreign.state.origin}${url.pathname.slice("/api".length)}${url.search}`, { method: request.method, headers: request.headers, body });
	};

	it.each(["client option", "per request"] as const)("should send no Authorization to the rewritten origin (bearer, hook as %s)", async (where) => {
		const hooks = { beforeRequest: [toForeign] };
		const { client } = makeClient(
			{ type: "bearer", store: memoryTokenStore({ accessToken: "secret-at" }) },
			where === "client option" ? { ky: { hooks } } : {},
		);
		const perRequest = where === "per request" ? { hooks } : {};
		await client.get("me", perRequest);
		await client.get("export/all", perRequest);
		await client.post("export/all", { format: "csv" }, perRequest);
		expect(trusted.state.seen.map((seen) => [seen.path, seen.headers.authorization])).toEqual([["/api/me", "Bearer secret-at"]]);
		expect(foreign.state.seen.map((seen) => [seen.method, seen.path, seen.body])).toEqual([
			["GET", "/export/all", ""],
			["POST", "/export/all", JSON.stringify({ format: "csv" })],
		]);
		for (const seen of foreign.state.seen) expect(credentialHeaders(seen)).toEqual(noCredentials);
	});

	it.each(["client option", "per request"] as const)("should send no CSRF header to the rewritten origin (cookie mode, hook as %s)", async (where) => {
		const hooks = { beforeRequest: [toForeign] };
		const { client } = makeClient({ type: "cookie", csrf }, where === "client option" ? { ky: { hooks } } : {});
		const perRequest = where === "per request" ? { hooks } : {};
		await client.post("documents.create", { title: "x" }, perRequest);
		await client.post("export/all", { format: "csv" }, perRequest);
		expect(trusted.state.seen.map((seen) => [seen.path, seen.headers["x-csrf-token"]])).toEqual([["/api/documents.create", "csrf-1"]]);
		expect(foreign.state.seen.map((seen) => [seen.method, seen.path])).toEqual([["POST", "/export/all"]]);
		for (const seen of foreign.state.seen) expect(credentialHeaders(seen)).toEqual(noCredentials);
	});
});
