// ky reads every error body it throws on into `error.data`, and tokenflight reads a 401's itself; with no timeout
// (tokenflight's default) an error body that never ends would hold the request forever. Each read stops after 64 KB.
// Bounded by size: the request must have failed before the server wrote much more than the cap.
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError, HttpError, NotFoundError, ServerError, createClient, memoryTokenStore, type Client } from "../../src/index.js";
import { useEndlessServer } from "../helpers/endlessServer.js";
import { memoryStorage } from "../helpers/storage.js";

const cap = 64 * 1024;
// What the sockets and streams between the server and the reader hold beyond what was read.
const margin = 32 * 1024;

const server = useEndlessServer();
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function makeClient(): Client {
	const client = createClient({
		baseUrl: `${server.origin}/api/`,
		auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1" }) },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0 },
	});
	clients.push(client);
	return client;
}

describe("an error body that never ends", () => {
	it.each([
		{ name: "500", status: 500, auth: true as const, type: ServerError },
		{ name: "404", status: 404, auth: true as const, type: NotFoundError },
		{ name: "401 to an auth: \"neutral\" request", status: 401, auth: "neutral" as const, type: HttpError },
		{ name: "401 to an auth: false request", status: 401, auth: false as const, type: HttpError },
	])("should reject with its typed error after reading at most 64 KB ($name)", { timeout: 30_000 }, async ({ status, auth, type }) => {
		const path = `/api/endless-${status}-${String(auth)}`;
		server.route = () => ({ status, headers: { "content-type": "text/plain" }, first: `the server is failing: ${"x".repeat(56 * 1024)}`, tick: 1024, everyMs: 50 });
		const error = await makeClient()
			.get(path.slice("/api/".length), { auth })
			.then(
				() => undefined,
				(error: unknown) => error,
			);
		const written = server.written.get(path) ?? 0;
		expect(error).toBeInstanceOf(type);
		expect(error).not.toBeInstanceOf(AuthenticationError);
		expect((error as HttpError).status).toBe(status);
		expect(String((error as HttpError).data)).toMatch(/^the server is failing: x+/);
		expect(written).toBeLessThanOrEqual(cap + margin);
	});
});
