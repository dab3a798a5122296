// The child side of lib.mjs startServer's IPC protocol, shared by bench/server.mjs and bench/browserServer.mjs:
// "ready" with the port once listening; "reset", "stats" and "stop" on request; exit on disconnect or after
// BENCH_SERVER_MAX_MS (a bench that hangs must not leave a server behind).

/**
 * Serves `server` on 127.0.0.1 for the parent process. `reset(message)` returns the tokens to answer with; `stats()`
 * the current counters (a reset replaces the object).
 */
export function serveOverIpc(server, { name, reset, stats, backlog }) {
	const lifetime = setTimeout(
		() => {
			console.error(`${name}: max lifetime reached, exiting`);
			process.exit(2);
		},
		Number(process.env.BENCH_SERVER_MAX_MS ?? 300_000),
	);

	function stop() {
		clearTimeout(lifetime);
		server.closeAllConnections?.();
		server.close(() => process.exit(0));
		setTimeout(() => process.exit(0), 1_000).unref();
	}

	process.on("disconnect", stop);
	process.on("message", (message) => {
		switch (message?.type) {
			case "reset":
				process.send({ type: "reset", id: message.id, tokens: reset(message) });
				break;
			case "stats":
				process.send({ type: "stats", id: message.id, stats: { ...stats() } });
				break;
			case "stop":
				stop();
				break;
		}
	});

	server.listen({ host: "127.0.0.1", port: 0, backlog }, () => {
		process.send({ type: "ready", port: server.address().port });
	});
}
