// `dedupe` never hands one caller a response meant for another request.
import { afterEach, describe, expect, it } from "vitest";
import { createClient, memoryTokenStore, type Client } from "../../src/index.js";
import { sleep } from "../helpers/async.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

describe("dedupe", () => {
	// dedupeKey() (client.ts) is built from `resolveUrl(path)`, before ky appends `searchParams`, so requests that differ
	// only in their query share one response. README: "Identical requests in flight (method, URL and body …) share one
	// response." Outline-style `get(path, query)` (examples/outline passes the query as `searchParams`) then shows
	// document 2 the data of document 1.
	it("requests that differ only in searchParams do not share one response", async () => {
		const api = fakeFetch(async (seen) => {
			await sleep(10);
			return Response.json({ id: new URL(seen.url).searchParams.get("id") });
		});
		const client = createClient({
			baseUrl,
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) },
			dedupe: true,
			tabs: false,
			ky: { fetch: api.fetch, retry: 0 },
		});
		clients.push(client);

		const [one, two] = await Promise.all([
			client.get<{ id: string }>("documents.info", { searchParams: { id: "1" } }),
			client.get<{ id: string }>("documents.info", { searchParams: { id: "2" } }),
		]);

		expect(one).toEqual({ id: "1" });
		expect(two).toEqual({ id: "2" });
	});

	// The key has no notion of the session: a request made after logout() + signIn() as another user joins a request
	// still in flight with the previous user's token. Without an `identity` reader, the README lets that old request's
	// own caller have its answer, but the new caller never asked under the old session; without dedupe it would have
	// been sent with the new user's token.
	it("a request made after logout() and signIn() as someone else does not receive the previous user's response", async () => {
		const api = fakeFetch(async (seen) => {
			await sleep(40);
			return Response.json({ user: seen.headers.authorization === "Bearer alice-token" ? "alice" : "bob" });
		});
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "alice-token" }) },
			dedupe: true,
			reauthenticate: () => undefined,
		});

		const alices = client.get<{ user: string }>("me");
		await sleep(5);
		await client.logout();
		await client.signIn({ accessToken: "bob-token" });
		const bobs = await client.get<{ user: string }>("me");
		await alices.catch(() => undefined);

		expect(bobs).toEqual({ user: "bob" });
	});
});
