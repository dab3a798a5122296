// Server for the browser benchmark (bench/browser.mjs). Runs as a child process so that its CPU time is not charged
// to the browser under test or to the Node process driving it. Listens on 127.0.0.1 only, keeps connections alive,
// and stops by itself: when the parent disconnects, on "stop", or after BENCH_SERVER_MAX_MS whatever happens (serverChild.mjs).
//
//   GET  /               the bench page (cross-origin isolated, so performance.now() has a fine resolution)
//   GET  /page.js        bench/browserPage.mjs bundled by esbuild with dist/index.js and ky
//   GET  /api/items      small JSON; 401 unless `Authorization: Bearer <the current access token>` (only the latest
//                        issued access token is accepted: a refresh retires the one before it)
//   POST /token          OAuth refresh-token grant with rotation: each refresh token works once; reusing a consumed
//                        one answers 400 invalid_grant and revokes the whole family (RFC 9700 §4.14.2)
//
// Controlled over IPC: {type:"reset", expired, refreshDelayMs, closeIdle} → {tokens}; {type:"stats"} → counters.
import { createServer } from "node:http";
import { serveOverIpc } from "./serverChild.mjs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const bundled = await build({
	entryPoints: [fileURLToPath(new URL("./browserPage.mjs", import.meta.url))],
	bundle: true,
	format: "esm",
	platform: "browser",
	target: "es2022",
	write: false,
	logLevel: "silent",
});
const pageScript = Buffer.from(bundled.outputFiles[0].text);
const pageHtml = Buffer.from('<!doctype html><meta charset="utf-8"><title>tokenflight bench</title><script type="module" src="/page.js"></script>\n');
const isolation = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp", "cache-control": "no-store" };

const body = Buffer.from(JSON.stringify({ id: 1, name: "item", tags: ["a", "b"], ok: true }));
const unauthorizedBody = Buffer.from(JSON.stringify({ error: "authentication_required" }));

let refreshDelayMs = 0;
let counter = 0;
let currentAccess = null; // the one access token the API accepts
let liveRefresh = new Set();
let consumedRefresh = new Set();
let refreshesInFlight = 0;
let stats;

function resetStats() {
	stats = { connections: 0, ok: 0, unauthorized: 0, refreshCalls: 0, refreshOk: 0, refreshRejected: 0, reuseDetected: 0, maxConcurrentRefreshes: 0 };
}
resetStats();

function issue() {
	counter++;
	const accessToken = `at-${counter}-${Math.random().toString(36).slice(2)}`;
	const refreshToken = `rt-${counter}-${Math.random().toString(36).slice(2)}`;
	currentAccess = accessToken;
	liveRefresh.add(refreshToken);
	return { accessToken, refreshToken };
}

function reset(options) {
	// Cold start for every contender: idle keep-alive sockets from the previous run are closed.
	if (options.closeIdle) server.closeIdleConnections();
	refreshDelayMs = options.refreshDelayMs ?? 0;
	liveRefresh = new Set();
	consumedRefresh = new Set();
	const tokens = issue();
	// "expired": the server no longer accepts the access token.
	if (options.expired) currentAccess = null;
	resetStats();
	return tokens;
}

function send(res, status, payload, headers = {}) {
	res.writeHead(status, { "content-type": "application/json", "content-length": payload.length, ...headers });
	res.end(payload);
}

async function handleToken(req, res) {
	const chunks = [];
	for await (const chunk of req) chunks.push(chunk);
	const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
	stats.refreshCalls++;
	refreshesInFlight++;
	stats.maxConcurrentRefreshes = Math.max(stats.maxConcurrentRefreshes, refreshesInFlight);
	try {
		if (refreshDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
	} finally {
		refreshesInFlight--;
	}
	const token = params.refresh_token;
	const json = (status, value) => send(res, status, Buffer.from(JSON.stringify(value)), { "cache-control": "no-store" });
	if (params.grant_type !== "refresh_token" || typeof token !== "string" || !liveRefresh.has(token)) {
		stats.refreshRejected++;
		if (consumedRefresh.has(token)) {
			// Reuse of a rotated-away refresh token: assume theft, revoke the whole family.
			stats.reuseDetected++;
			currentAccess = null;
			liveRefresh.clear();
		}
		return json(400, { error: "invalid_grant" });
	}
	liveRefresh.delete(token);
	consumedRefresh.add(token);
	const next = issue();
	stats.refreshOk++;
	return json(200, { access_token: next.accessToken, token_type: "Bearer", expires_in: 3600, refresh_token: next.refreshToken });
}

const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000, requestTimeout: 30_000 }, (req, res) => {
	const path = req.url?.split("?")[0];
	if (req.method === "GET" && path === "/") return send(res, 200, pageHtml, { ...isolation, "content-type": "text/html; charset=utf-8" });
	if (req.method === "GET" && path === "/page.js") return send(res, 200, pageScript, { ...isolation, "content-type": "text/javascript; charset=utf-8" });
	if (req.method === "POST" && path === "/token") {
		handleToken(req, res).catch(() => send(res, 500, Buffer.from('{"error":"server_error"}')));
		return;
	}
	if (path?.startsWith("/api/")) {
		const auth = req.headers.authorization;
		const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
		if (!token || token !== currentAccess) {
			stats.unauthorized++;
			return send(res, 401, unauthorizedBody, { "www-authenticate": 'Bearer error="invalid_token"', "cache-control": "no-store" });
		}
		stats.ok++;
		return send(res, 200, body, { "cache-control": "no-store" });
	}
	send(res, 404, Buffer.from("{}"));
});
server.on("connection", () => stats.connections++);
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;

serveOverIpc(server, { name: "bench browser server", reset, stats: () => stats, backlog: 1_024 });
