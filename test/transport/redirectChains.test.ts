// Credentials, CSRF values and session decisions across redirect chains. Real sockets: two node:http
// servers on 127.0.0.1 (two ports, two origins) and Node's own fetch, so redirects are followed as fetch follows them.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { HttpError, memoryTokenStore, type DPoPBinding } from "../../src/index.js";
import { useTrustedAndForeign } from "../helpers/recordingServer.js";
import { settledWithin, track } from "../helpers/async.js";

const { trusted, foreign, makeClient } = useTrustedAndForeign();

const csrf = { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-secret-1" };

describe("client.fetch redirect modes with a CSRF-carrying request", () => {
	// A CSRF-carrying request is sent with redirect: "manual" and followed by tokenflight's own loop (transport.ts
	// follow()), which never looks at the redirect mode the caller asked for. fetch semantics: "manual" hands the 3xx
	// back (Node shows it as is), "error" rejects with a TypeError. Here both are silently followed to the target.
	beforeEach(() => {
		trusted.state.route = (seen) =>
			seen.path === "/api/moved" ? { status: 307, headers: { location: "/api/target" } } : { status: 200, body: JSON.stringify({ path: seen.path }) };
	});

	it('client.fetch(…, { redirect: "manual" }) returns the 3xx instead of following the redirect (cookie + CSRF)', async () => {
		const { client } = makeClient({ type: "cookie", csrf });
		const response = await client.fetch(`${trusted.state.origin}/api/moved`, { method: "POST", body: "x", redirect: "manual" });
		expect(response.status).toBe(307);
		expect(trusted.state.seen.map((seen) => seen.path)).toEqual(["/api/moved"]);
	});

	it('client.fetch(…, { redirect: "error" }) rejects instead of following the redirect (cookie + CSRF)', async () => {
		const { client } = makeClient({ type: "cookie", csrf });
		const result = track(client.fetch(`${trusted.state.origin}/api/moved`, { method: "POST", body: "x", redirect: "error" }));
		await settledWithin(result);
		expect(result.status).toBe("rejected");
		expect(result.error).toBeInstanceOf(TypeError);
		expect(trusted.state.seen.map((seen) => seen.path)).toEqual(["/api/moved"]);
	});
});

describe("a redirect chain that leaves the trusted origins and comes back", () => {
	// README (Credentials): tokenflight follows a CSRF-carrying request "hop by hop, with the CSRF value and cookies only
	// on trusted hops". Once a hop has gone to a foreign origin, that origin chooses the next URL and (with 307/308) keeps
	// the method and body; follow() re-attaches the CSRF value (and credentials: "include") to whatever trusted URL the
	// foreign origin names. A foreign origin the API redirects to (a CDN, an export service, an open redirect) can thus
	// aim a CSRF-authorised POST at any endpoint of the API: the double-submit protection is laundered through it.
	it("does not re-attach the CSRF header to a trusted URL chosen by a foreign hop (trusted → foreign → trusted, 307)", async () => {
		trusted.state.route = (seen) =>
			seen.path === "/api/export" ? { status: 307, headers: { location: `${foreign.state.origin}/bounce` } } : { status: 200, body: "{}" };
		foreign.state.route = () => ({ status: 307, headers: { location: `${trusted.state.origin}/api/admin/delete-everything` } });
		const { client } = makeClient({ type: "cookie", csrf });

		await client.post("export", { format: "csv" }).catch(() => undefined);

		expect(foreign.state.seen[0]?.headers["x-csrf-token"]).toBeUndefined();
		const bounced = trusted.state.seen.find((seen) => seen.path === "/api/admin/delete-everything");
		expect(bounced?.headers["x-csrf-token"]).toBeUndefined();
	});

	// README failure table: a 401 "from a foreign URL a trusted origin redirected to" is an HttpError that "says nothing
	// about the session". When the foreign origin bounces the request back to the trusted origin, fetch has already
	// stripped Authorization (cross-origin hop), so the trusted origin answers 401 to a request that carried no token.
	// transport.ts only looks at the final URL, so that 401 is taken as the session's: a refresh, then a re-authentication
	// (a reload) — a foreign origin can end the user's session at will.
	it("a 401 at the end of trusted → foreign → trusted neither refreshes nor re-authenticates (bearer)", async () => {
		trusted.state.route = (seen) => {
			if (seen.path === "/api/files/1") return { status: 302, headers: { location: `${foreign.state.origin}/cdn/1` } };
			return seen.headers.authorization ? { status: 200, body: "{}" } : { status: 401, body: JSON.stringify({ error: "no token" }) };
		};
		foreign.state.route = () => ({ status: 302, headers: { location: `${trusted.state.origin}/api/me` } });
		const refresh = vi.fn(async () => ({ accessToken: "at-2", refreshToken: "rt-2" }));
		const { client, reauthenticate } = makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" }), refresh });

		const result = track(client.get("files/1"));
		await settledWithin(result);

		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("reauthenticating");
		expect(result.status).toBe("rejected");
		expect(result.error).toBeInstanceOf(HttpError);
	});
});

describe("a DPoP proof on a native redirect", () => {
	// A DPoP request is followed by hand, each hop dressed for its own origin: the foreign hop gets no proof (issue 18, item 5).
	it("sends no DPoP proof to the foreign origin of a 307", async () => {
		trusted.state.route = (seen) =>
			seen.path === "/api/out" ? { status: 307, headers: { location: `${foreign.state.origin}/in` } } : { status: 200, body: "{}" };
		const dpop: DPoPBinding = { proof: async () => "proof-for-the-trusted-origin", observe: () => undefined };
		const { client } = makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }), dpop });

		await client.post("out", { x: 1 }).catch(() => undefined);

		expect(trusted.state.seen[0]?.headers.dpop).toBe("proof-for-the-trusted-origin");
		expect(foreign.state.seen).toHaveLength(1);
		expect(foreign.state.seen[0]?.headers.authorization).toBeUndefined();
		expect(foreign.state.seen[0]?.headers.dpop).toBeUndefined();
	});
});
