// client.fetch is the standard fetch(input, init): it keeps the RequestInit members a caller sets (mode, integrity).
import { afterEach, describe, expect, it } from "vitest";
import { memoryTokenStore, type Client } from "../../src/index.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function make() {
	const api = fakeFetch(() => Response.json({ ok: true }));
	const client = fakeFetchClient(clients, api.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) } });
	return { client, api };
}

describe("client.fetch keeps every RequestInit member", () => {
	// clientFetch() rebuilds the request from method, headers, body, signal, credentials, redirect, cache and keepalive
	// only. `mode`, `integrity`, `referrer`, `referrerPolicy` and `priority` are dropped, so a caller's
	// `mode: "same-origin"` (fetch must refuse a cross-origin URL) or Subresource Integrity check silently disappears.
	it('client.fetch(…, { mode: "same-origin" }) is sent as mode "same-origin"', async () => {
		const { client, api } = make();
		await client.fetch(`${baseUrl}me`, { mode: "same-origin" });
		expect(api.seen[0]?.request.mode).toBe("same-origin");
	});

	it("client.fetch(…, { integrity }) is sent with its integrity metadata", async () => {
		const { client, api } = make();
		const integrity = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
		await client.fetch(`${baseUrl}bundle.js`, { integrity }).catch(() => undefined);
		expect(api.seen[0]?.request.integrity).toBe(integrity);
	});

	it("a Request carrying its own mode and integrity keeps both", async () => {
		const { client, api } = make();
		const integrity = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
		await client.fetch(new Request(`${baseUrl}bundle.js`, { mode: "same-origin", integrity })).catch(() => undefined);
		expect({ mode: api.seen[0]?.request.mode, integrity: api.seen[0]?.request.integrity }).toEqual({ mode: "same-origin", integrity });
	});
});
