// Outline's ApiClient calls the global fetch, so `globalThis.fetch = client.fetch` is the zero-line adoption. The
// client must then never call itself: it sends through the page's own fetch, whatever the global holds.
import { afterEach, describe, expect, it } from "vitest";
import { twoOrigins } from "../helpers/redirectServers.js";

const { trusted, makeClient } = twoOrigins();
const pageFetch = globalThis.fetch;
afterEach(() => {
	globalThis.fetch = pageFetch;
});

describe("globalThis.fetch = client.fetch", () => {
	it("sends each request once through the page's fetch, not through itself", async () => {
		const { client } = makeClient({ type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-1" } });
		globalThis.fetch = client.fetch;

		const response = await globalThis.fetch(`${trusted.state.origin}/api/documents.list`, { method: "POST", body: "{}" });

		expect(response.status).toBe(200);
		expect(trusted.state.seen.map((seen) => [seen.method, seen.path, seen.headers["x-csrf-token"]])).toEqual([["POST", "/api/documents.list", "csrf-1"]]);
	});

	it("still answers when two clients' fetch replaced the global one after the other", async () => {
		const first = makeClient({ type: "cookie" }).client;
		globalThis.fetch = first.fetch;
		const second = makeClient({ type: "cookie" }).client;
		globalThis.fetch = second.fetch;

		await expect(first.get("a")).resolves.toEqual({ ok: true });
		await expect(second.get("b")).resolves.toEqual({ ok: true });
		expect(trusted.state.seen.map((seen) => seen.path)).toEqual(["/api/a", "/api/b"]);
	});
});
