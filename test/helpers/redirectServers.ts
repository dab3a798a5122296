// Two real node:http origins on 127.0.0.1 (two ports) and clients of the trusted one, for the redirect tests: Node's
// own fetch follows (or hands over) every redirect, as it would in production.
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { createClient, type Client, type ClientOptions, type Reauthenticate } from "../../src/index.js";
import { recordingServer } from "./recordingServer.js";
import { memoryStorage } from "./storage.js";

export function twoOrigins() {
	const trusted = recordingServer();
	const foreign = recordingServer();
	const clients: Client[] = [];
	beforeAll(async () => {
		await trusted.listen();
		await foreign.listen();
	});
	afterAll(async () => {
		await trusted.close();
		await foreign.close();
	});
	beforeEach(() => {
		for (const server of [trusted, foreign]) {
			server.state.seen.length = 0;
			server.state.route = () => ({ status: 200, body: JSON.stringify({ ok: true }) });
		}
	});
	afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

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

/** A body that can be read only once, as a ReadableStream is. */
export function streamOf(text: string): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(new TextEncoder().encode(text));
			controller.close();
		},
	});
}
