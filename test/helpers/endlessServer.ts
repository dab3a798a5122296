// A node:http server whose answers never end: it writes a first chunk, then (optionally) `tick` bytes every
// `everyMs`, until the client goes away. It counts the bytes it wrote per request, so a test can bound how much a
// client read before giving up by size, not by time.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";

export type EndlessAnswer = { status: number; headers?: Record<string, string>; first: string; tick?: number; everyMs?: number };

export function useEndlessServer() {
	const state = {
		origin: "",
		route: (_path: string): EndlessAnswer => ({ status: 200, first: "{}" }),
		/** Bytes written so far, per request path. */
		written: new Map<string, number>(),
	};
	const timers = new Set<NodeJS.Timeout>();
	const server: Server = createServer((req, res) => {
		const path = req.url ?? "/";
		const answer = state.route(path);
		res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
		const count = (bytes: number) => state.written.set(path, (state.written.get(path) ?? 0) + bytes);
		res.write(answer.first);
		count(Buffer.byteLength(answer.first));
		if (!answer.tick) return;
		const chunk = "x".repeat(answer.tick);
		const timer = setInterval(() => {
			if (res.destroyed || res.writableEnded) return clearInterval(timer);
			res.write(chunk);
			count(chunk.length);
		}, answer.everyMs ?? 50);
		timers.add(timer);
		res.on("close", () => clearInterval(timer));
	});
	beforeAll(async () => {
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		for (const timer of timers) clearInterval(timer);
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
	return state;
}
