// Serves examples/spa and a stand-in for its API: `node examples/spa/serve.mjs` (PORT=0 picks a free port).
// The page's packages are the installed ones, served under /modules/ for its import map. The API hands out
// rotating tokens, and POST /__session/end kills every session as an expired sign-in at the IdP would.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** /modules/<name>/… → the directory of the file the package's import entry resolves to. */
const modules = {
	tokenflight: dirname(fileURLToPath(import.meta.resolve("tokenflight"))),
	ky: dirname(fileURLToPath(import.meta.resolve("ky"))),
	"js-cookie": dirname(fileURLToPath(import.meta.resolve("js-cookie"))),
};
const files = { "/": "index.html", "/app.js": "app.js" };
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript" };

/**
 * @param {{ port?: number, host?: string }} [options]
 * @returns {Promise<{ url: string, stats: { pageLoads: number, refreshes: number, rejectedRefreshes: number }, close(): Promise<void> }>}
 */
export async function startSpaServer({ port = 0, host = "127.0.0.1" } = {}) {
	const stats = { pageLoads: 0, refreshes: 0, rejectedRefreshes: 0 };
	/** @type {Set<string>} */ const accessTokens = new Set();
	/** @type {Set<string>} */ const refreshTokens = new Set();
	const issue = () => {
		const tokens = { accessToken: randomUUID(), refreshToken: randomUUID(), expiresAt: Date.now() + 3_600_000 };
		accessTokens.add(tokens.accessToken);
		refreshTokens.add(tokens.refreshToken);
		return tokens;
	};
	/** @param {import("node:http").ServerResponse} response @param {number} status @param {unknown} body */
	const json = (response, status, body) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

	const server = createServer(async (request, response) => {
		const { pathname } = new URL(request.url ?? "/", "http://x");
		let body = "";
		for await (const chunk of request) body += chunk;
		if (pathname === "/auth/tokens" && request.method === "POST") {
			const { accessToken, refreshToken, expiresAt } = issue();
			return json(response, 200, { accessToken, refreshToken, expiresAt });
		}
		if (pathname === "/api/me") {
			const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
			if (!token || !accessTokens.has(token)) return response.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
			return json(response, 200, { name: "Alice" });
		}
		if (pathname === "/oauth/token" && request.method === "POST") {
			stats.refreshes++;
			const presented = new URLSearchParams(body).get("refresh_token") ?? "";
			if (!refreshTokens.delete(presented)) {
				stats.rejectedRefreshes++;
				return json(response, 400, { error: "invalid_grant" });
			}
			const { accessToken, refreshToken } = issue();
			return json(response, 200, { access_token: accessToken, refresh_token: refreshToken, token_type: "Bearer", expires_in: 3600 });
		}
		if (pathname === "/__session/end" && request.method === "POST") {
			accessTokens.clear();
			refreshTokens.clear();
			return response.writeHead(204).end();
		}
		const [, name, rest] = /^\/modules\/([^/]+)\/(.+)$/.exec(pathname) ?? [];
		const root = name && Object.hasOwn(modules, name) ? modules[/** @type {keyof typeof modules} */ (name)] : here;
		const file = name ? (name === "js-cookie" ? "js.cookie.mjs" : rest ?? "") : files[/** @type {keyof typeof files} */ (pathname)];
		const path = file ? normalize(join(root, file)) : undefined;
		if (!path || !path.startsWith(join(root, "/"))) return response.writeHead(404).end();
		try {
			const content = await readFile(path);
			if (pathname === "/") stats.pageLoads++;
			response.writeHead(200, { "content-type": types[/** @type {keyof typeof types} */ (path.slice(path.lastIndexOf(".")))] ?? "application/octet-stream" }).end(content);
		} catch {
			response.writeHead(404).end();
		}
	});
	await new Promise((resolve) => server.listen(port, host, () => resolve(undefined)));
	const address = /** @type {import("node:net").AddressInfo} */ (server.address());
	return {
		url: `http://${host}:${address.port}/`,
		stats,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const { url } = await startSpaServer({ port: Number(process.env["PORT"] ?? 5174) });
	console.log(`tokenflight in a plain page: ${url}`);
	console.log(`  end the session: curl -X POST ${url}__session/end, then press "Load profile": one reload, no error`);
}
