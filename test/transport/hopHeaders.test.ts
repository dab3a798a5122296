// Each hop of a redirect carries what fetch itself would give it, computed for that hop's method and origin: the
// caller's Authorization, the CSRF value and a DPoP proof never cross to another origin, a 303 turns a POST into a GET
// without the CSRF value, and a redirect to anything but http(s) is a network error, as in fetch.
import { describe, expect, it } from "vitest";
import { NetworkError, memoryTokenStore } from "../../src/index.js";
import { twoOrigins } from "../helpers/redirectServers.js";

const { trusted, foreign, makeClient } = twoOrigins();
const csrf = { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-secret-1" };

describe("the caller's own Authorization on a redirect followed by hand", () => {
	it.each([301, 302, 303, 307, 308])("is dropped when a %i leaves for another origin (cookie mode with CSRF)", async (status) => {
		trusted.state.route = (seen) => (seen.path === "/api/export" ? { status, headers: { location: `${foreign.state.origin}/files/1` } } : { status: 200, body: "{}" });
		const { client } = makeClient({ type: "cookie", csrf });

		await client.post("export", { format: "csv" }, { headers: { authorization: "Basic dXNlcjpwYXNz" } }).catch(() => undefined);

		expect(trusted.state.seen[0]?.headers.authorization).toBe("Basic dXNlcjpwYXNz");
		expect(foreign.state.seen).toHaveLength(1);
		expect(foreign.state.seen[0]?.headers.authorization).toBeUndefined();
		expect(foreign.state.seen[0]?.headers["x-csrf-token"]).toBeUndefined();
	});

	it("is kept on a same-origin hop, as fetch keeps it", async () => {
		trusted.state.route = (seen) => (seen.path === "/api/export" ? { status: 307, headers: { location: "/api/export/2" } } : { status: 200, body: "{}" });
		const { client } = makeClient({ type: "cookie", csrf });

		await client.post("export", { format: "csv" }, { headers: { authorization: "Basic dXNlcjpwYXNz" } });

		expect(trusted.state.seen.map((seen) => [seen.path, seen.headers.authorization, seen.headers["x-csrf-token"]])).toEqual([
			["/api/export", "Basic dXNlcjpwYXNz", "csrf-secret-1"],
			["/api/export/2", "Basic dXNlcjpwYXNz", "csrf-secret-1"],
		]);
	});
});

describe("a 303 that turns a POST into a GET", () => {
	it("sends the GET without the CSRF value, which only unsafe methods carry (same origin)", async () => {
		trusted.state.route = (seen) => (seen.path === "/api/documents.create" ? { status: 303, headers: { location: "/api/documents/1" } } : { status: 200, body: "{}" });
		const { client } = makeClient({ type: "cookie", csrf });

		await client.post("documents.create", { title: "x" });

		expect(trusted.state.seen.map((seen) => [seen.method, seen.path, seen.headers["x-csrf-token"], seen.body])).toEqual([
			["POST", "/api/documents.create", "csrf-secret-1", JSON.stringify({ title: "x" })],
			["GET", "/api/documents/1", undefined, ""],
		]);
	});
});

describe("a redirect to a URL that is not http(s)", () => {
	const dataUrl = 'data:application/json,{"balance":1000000}';
	it.each([
		["cookie mode with CSRF", { type: "cookie", csrf } as const, "post"],
		["bearer", { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) } as const, "get"],
		["no credentials (auth: false)", { type: "bearer", store: memoryTokenStore(null) } as const, "get"],
	])("is a NetworkError, never the API's answer (%s)", async (_, auth, method) => {
		trusted.state.route = () => ({ status: 302, headers: { location: dataUrl } });
		const { client } = makeClient(auth);

		const result = await (method === "post" ? client.post("balance", { x: 1 }) : client.get("balance")).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);

		expect(result).not.toHaveProperty("value");
		expect((result as { error: unknown }).error).toBeInstanceOf(NetworkError);
	});

	it("rejects client.fetch with a TypeError, as fetch does", async () => {
		trusted.state.route = () => ({ status: 302, headers: { location: dataUrl } });
		const { client } = makeClient({ type: "cookie", csrf });

		await expect(client.fetch(`${trusted.state.origin}/api/balance`, { method: "POST", body: "{}" })).rejects.toBeInstanceOf(TypeError);
	});
});
