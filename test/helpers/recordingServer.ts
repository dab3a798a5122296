// A real HTTP server on 127.0.0.1 for tests that need what a real fetch does over sockets (redirects above all): it
// records every request and answers through `state.route`, which a test replaces. No msw: its interceptor would
// rebuild requests and answer redirects itself, hiding what fetch forwards to a redirect's target.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

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
