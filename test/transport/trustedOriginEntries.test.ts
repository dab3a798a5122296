// trustedOrigins takes origins only: an entry with a path, query, fragment or credentials is refused (a TypeError that
// does not quote a password in it), never widened to its host.
import { afterEach, describe, expect, it } from "vitest";
import { createClient, memoryTokenStore, type Client } from "../../src/index.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

describe("trustedOrigins entries", () => {
	// origins.ts used to keep `.origin` only: "https://storage.example/my-bucket/" silently trusted every bucket and
	// tenant on the shared host with the bearer token.
	it.each(["https://storage.example/my-bucket/", "https://storage.example/?tenant=a", "https://storage.example/#x", "https://user@storage.example"])(
		"refuses %s, which is not an origin, instead of widening it",
		(entry) => {
			expect(() => createClient({ baseUrl, auth: { type: "cookie" }, trustedOrigins: [entry], tabs: false })).toThrow(TypeError);
		},
	);

	it("accepts an origin with or without its trailing slash", async () => {
		const api = fakeFetch();
		const client = fakeFetchClient(clients, api.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) }, trustedOrigins: ["https://files.example", "https://cdn.example/"] });
		await client.get("https://files.example/a");
		await client.get("https://cdn.example/b");
		expect(api.seen.map((seen) => seen.headers.authorization)).toEqual(["Bearer at-1", "Bearer at-1"]);
	});
});

describe("the error message for a trustedOrigins entry", () => {
	it("does not quote a password given in a trustedOrigins entry", () => {
		let message = "";
		try {
			createClient({ baseUrl, auth: { type: "cookie" }, trustedOrigins: ["https://svc:s3cr3t-token@storage.example"], tabs: false });
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).not.toContain("s3cr3t-token");
	});
});
