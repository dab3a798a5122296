// Paths that look like they escape baseUrl stay under it.
// README (API): "baseUrl — Paths resolve under it. A leading slash stays under its path". resolveUrl() strips leading
// "/" and then defers to the WHATWG URL parser, which also drops leading spaces and C0 controls, deletes tabs and
// newlines anywhere, and reads "\" as "/" in http(s) URLs. A path such as " //evil.example/x" or "\\evil.example/x"
// (an id from a URL fragment, a route param) therefore becomes a protocol-relative URL on another origin. The transport
// keeps the token off it, but the foreign origin's answer is returned to the caller as if it were the API's.
import { afterEach, describe, expect, it } from "vitest";
import { memoryTokenStore, type Client } from "../../src/index.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function make() {
	const api = fakeFetch((seen) => Response.json({ from: new URL(seen.url).origin }));
	const client = fakeFetchClient(clients, api.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) } });
	return { client, api };
}

describe("a path that is not a URL stays under baseUrl", () => {
	it.each([" //evil.example/documents", "\\\\evil.example/documents", "\t//evil.example/documents", "/\\evil.example/documents"])(
		"client.get(%j) is sent under https://app.example/api/ (or refused)",
		async (path) => {
			const { client, api } = make();
			await client.get(path).catch(() => undefined);
			expect(api.seen.map((seen) => seen.url).filter((url) => !url.startsWith(baseUrl))).toEqual([]);
		},
	);
});
