// A real HTTP server on 127.0.0.1 for tests that need what a real fetch does over sockets (redirects above all): it
// records every request and answers through `state.route`, which a test replaces. No msw: its interceptor would
// rebuild requests and answer redirects itself, hiding what fetch forwards to a redirect's target.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { createClient, type Client, type ClientOptions, type Reauthenticate } from "../../src/index.js";
import { memoryStorage } from "./storage.js";

export type Seen = { method: string; path: string; headers: IncomingHttpHeaders; body: string };
export type Answer = { status: number; headers?: Record<string, string>; body?: string };

export function recordingServer() {
	const state = {
		seen: [] as Seen[],
		/** May answer later (a promise): requests then stay in flight together. */
		route: (_: Seen): Answer | Promise<Answer> => ({ status: 200, body: "{}" }),
		origin: "",
	};
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (chunk: Buffer) => chunks.push(chunk));
		req.on("end", () => {
			const seen: Seen = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
			state.seen.push(seen);
			void Promise.resolve(state.route(seen)).then((answer) => {
				res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
				res.end(answer.body ?? "");
			});
		});
	});
	return {
		state,
		/** Each listen starts with nothing seen: a test that listens in beforeEach sees only its own requests. */
		async listen() {
			state.seen.length = 0;
			await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
			state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/**
 * Two recording servers for one test file, a trusted API and a foreign origin (two ports, so two origins), listening
 * from beforeAll to afterAll. Before each test their records are cleared and both answer 200 JSON; a test file's own
 * beforeEach, registered after this call, may route them otherwise. `foreignBody` is what the foreign origin answers by
 * default (the redirect tests want it to look like the API's own answer).
 */
export function useTrustedAndForeign({ foreignBody = { foreign: true } as unknown } = {}) {
	const trusted = recordingServer();
	const foreign = recordingServer();
	beforeAll(async () => {
		await trusted.listen();
		await foreign.listen();
	});
	afterAll(async () => {
		await trusted.close();
		await foreign.close();
	});
	beforeEach(() => {
		for (const server of [trusted, foreign]) server.state.seen.length = 0;
		trusted.state.route = () => ({ status: 200, body: JSON.stringify({ ok: true }) });
		foreign.state.route = () => ({ status: 200, body: JSON.stringify(foreignBody) });
	});

	const clients: Client[] = [];
	afterEach(() => clients.splice(0).forEach((client) => client.dispose()));
	/** A client of the trusted API over Node's own fetch, with a reauthenticate spy; disposed after each test. */
	function makeClient(auth: ClientOptions["auth"], overrides: Partial<ClientOptions> = {}) {
		const reauthenticate = vi.fn<Reauthenticate>(() => undefined);
		const client = createClient({
			baseUrl: `${trusted.state.origin}/api/`,
			auth,
			reauthenticate,
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
			...overrides,
			ky: { retry: 0, ...overrides.ky },
		});
		clients.push(client);
		return { client, reauthenticate };
	}
	return { trusted, foreign, makeClient };
}
