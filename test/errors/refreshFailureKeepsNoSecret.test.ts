// A refresh function's error that quotes the refresh token or a client secret (an HTTP client's message, a server's
// error text) never reaches what the request rejects with: not its JSON, util.inspect, message or stack, with or without
// errorFor and dedupe, and through client.fetch too.
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, memoryTokenStore, type Client, type ClientOptions } from "../../src/index.js";
import { fakeFetch } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

const refreshToken = "opaque-refresh-token-7d1e0c4b";
const clientSecret = "cs-TOPSECRET-123";

function makeClient(auth: Omit<Extract<ClientOptions["auth"], { type: "bearer" }>, "type">, overrides: Partial<ClientOptions>) {
	const api = fakeFetch(() => Response.json({ error: "unauthorized" }, { status: 401 }));
	const created = createClient({
		baseUrl: "https://app.example/api/",
		auth: { type: "bearer", ...auth },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch: api.fetch, retry: 0 },
		...overrides,
	});
	clients.push(created);
	return created;
}

function client(status: number, overrides: Partial<ClientOptions>) {
	return makeClient(
		{
			store: memoryTokenStore({ accessToken: "opaque-access-token-1a2b3c", refreshToken }),
			refresh: async ({ refreshToken: presented }) => {
				throw Object.assign(new Error(`refresh_token=${presented} client_secret=${clientSecret}`), { status });
			},
			refreshRetry: { limit: 0 },
		},
		overrides,
	);
}

/** Everything a logger could print: JSON, util.inspect with causes, the message and the stack, down the cause chain. */
function printed(error: unknown): string {
	const parts: string[] = [JSON.stringify(error), inspect(error, { depth: 10 })];
	for (let node = error as { message?: unknown; stack?: unknown; cause?: unknown } | undefined, depth = 0; node && typeof node === "object" && depth < 10; depth++) {
		parts.push(String(node.message), String(node.stack), JSON.stringify(node));
		node = node.cause as typeof node;
	}
	return parts.join("\n");
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => undefined,
		(error: unknown) => error,
	);
}

const variants: [string, Partial<ClientOptions>][] = [
	["default options", {}],
	["errorFor", { errorFor: (error) => Object.assign(new Error("app error"), { cause: error }) }],
	["dedupe", { dedupe: true }],
];

describe.each([503, 403])("a refresh function that fails with status %i and quotes its secrets", (status) => {
	it.each(variants)("client.get rejects without them (%s)", async (_name, overrides) => {
		const error = await rejection(client(status, overrides).get("me"));
		expect(error).toBeInstanceOf(Error);
		const text = printed(error);
		expect(text).not.toContain(refreshToken);
		expect(text).not.toContain(clientSecret);
	});

	it.each(variants)("client.fetch rejects without them (%s)", async (_name, overrides) => {
		const created = client(status, overrides);
		const response = await created.fetch("https://app.example/api/me").then(
			(answer) => answer,
			(error: unknown) => error,
		);
		// Whatever client.fetch settles with, nothing of it quotes the secrets.
		const text = response instanceof Response ? await response.text() : printed(response);
		expect(text).not.toContain(refreshToken);
		expect(text).not.toContain(clientSecret);
	});
});

describe("an error thrown while the request recovers from a 401", () => {
	// Thrown past send(), at the loop's recovery: redacted like every other error, errorFor or not.
	it.each(variants)("does not quote a token the request carried (%s)", async (_name, overrides) => {
		let reads = 0;
		const stored = { accessToken: "opaque-access-token-1a2b3c", refreshToken };
		const created = makeClient(
			{
				store: {
					get: () => {
						if (reads++ === 0) return stored;
						throw new Error(`the stored entry ${JSON.stringify(stored)} could not be read`);
					},
					set: () => undefined,
					clear: () => undefined,
				},
				refresh: async () => ({ accessToken: "opaque-access-token-2" }),
			},
			overrides,
		);
		const error = await rejection(created.get("me"));
		expect(error).toBeInstanceOf(Error);
		expect(printed(error)).not.toContain(refreshToken);
	});
});
