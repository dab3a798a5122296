// `sessionEnded` sees the parsed body of a JSON answer, read from a copy. A JSON answer that streams and never ends
// (a long poll, an NDJSON feed served as application/json) must still reach the caller: the copy is read only as far
// as it takes to parse, and never past a bounded prefix.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Client, SessionEnded } from "../../src/index.js";
import { ssoClient } from "../helpers/classifier.js";
import { useEndlessServer } from "../helpers/endlessServer.js";

const server = useEndlessServer();
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

describe("a JSON answer that never ends, under a sessionEnded classifier", () => {
	it("should resolve client.fetch with the response under answeredFromOutside()", async () => {
		server.route = () => ({ status: 200, first: '{"event":"ready"}\n' });
		const { client } = ssoClient(server.origin);
		clients.push(client);
		const response = await client.fetch(`${server.origin}/api/feed`);
		expect(response.status).toBe(200);
		const reader = response.body!.getReader();
		expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"event":"ready"}\n');
		await reader.cancel();
	});

	it("should give the classifier the first JSON value of the stream", async () => {
		server.route = () => ({ status: 200, first: '{"event":"ready"}\n' });
		const seen = vi.fn<SessionEnded>(() => false);
		const { client } = ssoClient(server.origin, { sessionEnded: seen });
		clients.push(client);
		const response = await client.fetch(`${server.origin}/api/feed`);
		expect(seen.mock.calls.map(([, context]) => context.data)).toEqual([{ event: "ready" }]);
		await response.body?.cancel();
	});

	it("should resolve a JSON answer that keeps writing past the prefix it reads, without a value it can parse", async () => {
		server.route = () => ({ status: 200, first: '{"items":["', tick: 16 * 1024, everyMs: 5 });
		const seen = vi.fn<SessionEnded>(() => false);
		const { client } = ssoClient(server.origin, { sessionEnded: seen });
		clients.push(client);
		const response = await client.fetch(`${server.origin}/api/endless`);
		expect(response.status).toBe(200);
		expect(seen).toHaveBeenCalledOnce();
		expect(seen.mock.calls[0]![1]).not.toHaveProperty("data");
		// The prefix read for the classifier, and what the tee buffered meanwhile, stay bounded: 64 KB plus a few chunks.
		expect(server.written.get("/api/endless")).toBeLessThan(64 * 1024 + 8 * 16 * 1024);
		await response.body?.cancel();
	});
});
