// Benchmark API server. Runs as a child process (forked by bench/lib.mjs) so that its CPU time is not
// charged to the client under test. Listens on 127.0.0.1 only, keeps connections alive, and stops by itself:
// when the parent disconnects, on "stop", or after BENCH_SERVER_MAX_MS whatever happens (serverChild.mjs).
//
//   GET  /api/items  small JSON; 401 unless `Authorization: Bearer <valid access token>`
//   POST /token      OAuth refresh-token grant with rotation: each refresh token works once; reusing a consumed
//                    one answers 400 invalid_grant and revokes the whole family (RFC 9700 §4.14.2).
//
// Controlled over IPC: {type:"reset", mode, refreshDelayMs} → {type:"reset", tokens}; {type:"stats"} → counters.
import { createServer } from "node:http";
import { serveOverIpc } from "./serverChild.mjs";

const body = Buffer.from(JSON.stringify({ id: 1, name: "item", tags: ["a", "b"], ok: true }));
const unauthorizedBody = Buffer.from(JSON.stringify({ error: "authentication_required" }));

let mode = "normal"; // "normal" | "always401"
let refreshDelayMs = 0;
let counter = 0;
let validAccess = new Set();
let liveRefresh = new Set();
let consumedRefresh = new Set();
let stats;

function resetStats() {
	stats = { connections: 0, ok: 0, unauthorized: 0, refreshCalls: 0, refreshOk: 0, refreshRejected: 0, reuseDetected: 0, revoked: 0 };
}
resetStats();

function issue() {
	counter++;
	const accessToken = `at-${counter}-${Math.random().toString(36).slice(2)}`;
	const refreshToken = `rt-${counter}-${Math.random().toString(36).slice(2)}`;
	validAccess.add(accessToken);
	liveRefresh.add(refreshToken);
	return { accessToken, refreshToken };
}

function reset(options) {
	// Cold start for every contender: idle keep-alive sockets from the previous run are closed.
	if (options.closeIdle) server.closeIdleConnections();
	mode = options.mode ?? "normal";
	refreshDelayMs = options.refreshDelayMs ?? 0;
	validAccess = new Set();
	liveRefresh = new Set();
	consumedRefresh = new Set();
	resetStats();
	const tokens = issue();
	// "expired": the server no longer accepts the access token, the client does not know (expiry unknown to it).
	if (options.expired) validAccess.delete(tokens.accessToken);
	return tokens;
}

function send(res, status, payload, headers = {}) {
	res.writeHead(status, { "content-type": "application/json", "content-length": payload.length, ...headers });
	res.end(payload);
}

function json(res, status, value) {
	send(res, status, Buffer.from(JSON.stringify(value)), { "cache-control": "no-store" });
}

async function handleToken(req, res) {
	const chunks = [];
	for await (const chunk of req) chunks.push(chunk);
	const raw = Buffer.concat(chunks).toString("utf8");
	const type = req.headers["content-type"] ?? "";
	const params = type.includes("json") ? JSON.parse(raw || "{}") : Object.fromEntries(new URLSearchParams(raw));
	stats.refreshCalls++;
	if (refreshDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
	const token = params.refresh_token;
	if (params.grant_type !== "refresh_token" || typeof token !== "string" || !liveRefresh.has(token)) {
		stats.refreshRejected++;
		if (consumedRefresh.has(token)) {
			// Reuse of a rotated-away refresh token: assume theft, revoke the whole family.
			stats.reuseDetected++;
			stats.revoked += validAccess.size + liveRefresh.size;
			validAccess.clear();
			liveRefresh.clear();
		}
		return json(res, 400, { error: "invalid_grant" });
	}
	liveRefresh.delete(token);
	consumedRefresh.add(token);
	const next = issue();
	stats.refreshOk++;
	return json(res, 200, { access_token: next.accessToken, token_type: "Bearer", expires_in: 3600, refresh_token: next.refreshToken });
}

const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000, requestTimeout: 30_000 }, (req, res) => {
	if (req.method === "POST" && req.url === "/token") {
		handleToken(req, res).catch(() => json(res, 500, { error: "server_error" }));
		return;
	}
	if (req.url?.startsWith("/api/")) {
		const auth = req.headers.authorization;
		const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
		if (mode === "always401" || !token || !validAccess.has(token)) {
			stats.unauthorized++;
			return send(res, 401, unauthorizedBody, { "www-authenticate": 'Bearer error="invalid_token"' });
		}
		stats.ok++;
		return send(res, 200, body);
	}
	send(res, 404, Buffer.from("{}"));
});
server.on("connection", () => stats.connections++);
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;
// A 10,000-request storm (BENCH_STORM=10000) opens that many cold connections at once: raise it with BENCH_MAX_CONNECTIONS.
server.maxConnections = Number(process.env.BENCH_MAX_CONNECTIONS ?? 4_000);

serveOverIpc(server, { name: "bench server", reset, stats: () => stats, backlog: 4_096 });
