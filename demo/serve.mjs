// Builds the demo SPA and serves it on 127.0.0.1: `npm run demo`, or `startDemoServer()` from the browser tests.
import { copyFile, readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { reactQueryRoute } from "./reactQuery.mjs";

const demoDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(demoDir, "..");

const contentTypes = {
	".html": "text/html; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".map": "application/json; charset=utf-8",
	".png": "image/png",
	".svg": "image/svg+xml",
	".json": "application/json; charset=utf-8",
};

/**
 * The demo imports tokenflight by its source path (so it type-checks without a build); bundling swaps in
 * the rollup output, so the page runs what `npm publish` would ship. `source: "src"` bundles the sources.
 */
function useDist(source) {
	const targets = { "index": "dist/index.js", "msw/index": "dist/msw.js" };
	return {
		name: "tokenflight-dist",
		setup(pluginBuild) {
			if (source !== "dist") return;
			pluginBuild.onResolve({ filter: /^(\.\.\/)+src\/(index|msw\/index)\.(js|ts)$/ }, (args) => {
				const entry = /src\/(index|msw\/index)\./.exec(args.path)?.[1] ?? "index";
				return { path: join(rootDir, targets[entry]) };
			});
		},
	};
}

async function newestMtime(dir) {
	const { readdir } = await import("node:fs/promises");
	let newest = 0;
	for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
		if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
	}
	return newest;
}

async function checkDist() {
	for (const file of ["dist/index.js", "dist/msw.js"]) {
		try {
			await stat(join(rootDir, file));
		} catch {
			throw new Error(`${file} is missing: run \`npm run build\` first (or start the demo with DEMO_SOURCE=src).`);
		}
	}
	const built = (await stat(join(rootDir, "dist/index.js"))).mtimeMs;
	if ((await newestMtime(join(rootDir, "src"))) > built) {
		console.warn("demo: src/ changed after the last build; the demo runs dist/. Run `npm run build` to pick the changes up.");
	}
}

/** Bundles demo/src/main.ts into demo/dist/ and puts msw's worker script at the root scope. */
export async function buildDemo({ source = process.env.DEMO_SOURCE === "src" ? "src" : "dist" } = {}) {
	if (source === "dist") await checkDist();
	await build({
		// The app (also each frame of the side-by-side page), and the side-by-side page itself.
		entryPoints: [join(demoDir, "src/main.ts"), join(demoDir, "src/sideBySide.ts"), join(demoDir, "src/lifetimeDemo.ts")],
		outdir: join(demoDir, "dist"),
		bundle: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		sourcemap: true,
		logLevel: "warning",
		plugins: [useDist(source)],
	});
	// The worker must match the installed msw exactly (msw checks its integrity), so it is copied, not committed.
	await copyFile(join(rootDir, "node_modules/msw/lib/mockServiceWorker.js"), join(demoDir, "mockServiceWorker.js"));
}

/**
 * The auth proxy in front of the app (oauth2-proxy's flow; `demo/src/authProxy.ts` is its API side) and the IdP it
 * signs in with, on another port, so another origin. The proxy's session is the cookie `demo-proxy`: `expired` while
 * it is over (cookies ignore the port, so the page, the proxy and the IdP all see the same one).
 */
const proxyCookie = "demo-proxy";

function proxySessionExpired(request) {
	return (request.headers.cookie ?? "").split(/;\s*/).includes(`${proxyCookie}=expired`);
}

/** The host the browser used, on `port`: the IdP is reached under the same name, so the proxy's cookie is shared. */
function originOn(request, port) {
	const hostname = new URL(`http://${request.headers.host ?? "127.0.0.1"}`).hostname;
	return `http://${hostname}:${port}`;
}

/** Only a path on this origin: `/oauth2/callback` must not send anyone elsewhere. */
function localPath(value) {
	return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

function redirect(response, location, headers = {}) {
	response.writeHead(302, { location, "cache-control": "no-store", ...headers }).end();
}

/** The proxy's own routes: true when it answered. */
function serveProxy(request, response, url, idpPort) {
	if (url.pathname === "/oauth2/start") {
		// On to the IdP, which sends the browser back to the callback. A fetch that followed this far stops at the IdP:
		// its answers carry no CORS headers, so the page sees a network error, not where it was sent.
		const authorize = new URL("/authorize", originOn(request, idpPort));
		authorize.searchParams.set("redirect_uri", `http://${request.headers.host}/oauth2/callback`);
		authorize.searchParams.set("state", localPath(url.searchParams.get("rd")));
		redirect(response, authorize.href);
		return true;
	}
	if (url.pathname === "/oauth2/callback") {
		// The IdP knew the user: the proxy's session is renewed, and the browser goes back where it was.
		redirect(response, localPath(url.searchParams.get("state")), { "set-cookie": `${proxyCookie}=; Max-Age=0; Path=/; SameSite=Lax` });
		return true;
	}
	return false;
}

/**
 * The IdP, on its own port: it still knows the user, so `/authorize` signs them in without a form and redirects to
 * `redirect_uri`. No CORS headers: a fetch redirected here fails. It counts what reached it, navigations apart.
 */
function createIdp() {
	const stats = { authorizeNavigations: 0, authorizeFetches: 0, origins: [] };
	const server = createServer((request, response) => {
		const url = new URL(request.url ?? "/", "http://localhost");
		if (url.pathname !== "/authorize") {
			response.writeHead(404, { "content-type": "text/plain" }).end("Not found");
			return;
		}
		if (request.headers["sec-fetch-mode"] === "navigate") stats.authorizeNavigations++;
		else stats.authorizeFetches++;
		const origin = request.headers.origin;
		if (origin && !stats.origins.includes(origin)) stats.origins.push(origin);
		const back = url.searchParams.get("redirect_uri") ?? "";
		let target;
		try {
			target = new URL(back);
		} catch {
			response.writeHead(400, { "content-type": "text/plain" }).end("redirect_uri is missing");
			return;
		}
		target.searchParams.set("code", `code_${Math.random().toString(36).slice(2, 10)}`);
		target.searchParams.set("state", url.searchParams.get("state") ?? "/");
		redirect(response, target.href);
	});
	return { server, stats };
}

/** The page a path names: `/` is the side-by-side page or the app (`home`), `/side-by-side` always the former. */
function pageFile(path, home) {
	if (path === "/side-by-side" || (path === "/" && home === "side-by-side")) return "side-by-side.html";
	if (path === "/") return "index.html";
	return path;
}

async function serveFile(request, response, { idpPort, hits, home, frames, reactQuery }) {
	const url = new URL(request.url ?? "/", "http://localhost");
	hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
	if (serveProxy(request, response, url, idpPort)) return;
	if (await reactQuery.serve(url.pathname, response)) return;
	const path = decodeURIComponent(url.pathname);
	if (path === "/demo-frames.json") {
		// Where the side-by-side page finds its two frames: the same server on two more ports, two more origins.
		const body = JSON.stringify({ naive: `${originOn(request, frames.naive)}/`, tokenflight: `${originOn(request, frames.tokenflight)}/` });
		response.writeHead(200, { "content-type": contentTypes[".json"], "cache-control": "no-store" }).end(body);
		return;
	}
	const file = normalize(join(demoDir, pageFile(path, home)));
	// `?pageDelay=ms` slows the page itself down, as a real server would be: on localhost a reload is so quick
	// that the naive client's toasts are gone before anyone sees them. The reloads keep the query, so they wait too;
	// a frame's fresh start (`reset=1`, which the page takes out of its URL at once) does not.
	const pageDelay = Math.min(Number(url.searchParams.get("pageDelay")) || 0, 10_000);
	const isPageLoad = path === "/" || path === "/side-by-side" || (extname(path) === "" && !(await isFile(file)));
	if (pageDelay > 0 && url.searchParams.get("reset") !== "1" && isPageLoad) {
		await new Promise((resolve) => setTimeout(resolve, pageDelay));
	}
	if (!file.startsWith(demoDir + sep) || file.includes(`${sep}src${sep}`)) {
		response.writeHead(404).end("Not found");
		return;
	}
	// The API is behind the auth proxy. The Service Worker answers API calls in the page (demo/src/authProxy.ts plays
	// the proxy there); this is for those that reach the server anyway, as when msw lets go of a page that is unloading.
	const isApi = path.startsWith("/api/") && !/^\/api\/auth\.(portal|sso|login)$/.test(path);
	// A page load goes through the proxy too, unless `?authProxy=api` (only the API is behind it): with its session
	// expired, a navigation is sent through the IdP and back, which renews it.
	const isPage = path === "/" || path === "/index.html" || (extname(file) === "" && !(await isFile(file)));
	if ((isApi || (isPage && url.searchParams.get("authProxy") !== "api")) && proxySessionExpired(request)) {
		redirect(response, `/oauth2/start?rd=${encodeURIComponent(url.pathname + url.search)}`);
		return;
	}
	try {
		const body = await readFile(file);
		// no-store: a rebuilt bundle must never meet a cached page, least of all in the tests.
		response.writeHead(200, { "content-type": contentTypes[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
		response.end(body);
	} catch {
		// An SPA: unknown paths get the page, except for files that were clearly asked for.
		if (extname(file) === "") {
			response.writeHead(200, { "content-type": contentTypes[".html"], "cache-control": "no-store" });
			response.end(await readFile(join(demoDir, "index.html")));
		} else {
			response.writeHead(404).end("Not found");
		}
	}
}

async function isFile(file) {
	try {
		return (await stat(file)).isFile();
	} catch {
		return false;
	}
}

/**
 * Listens on `port`, or on the next free one after it (up to 20 on), or on any free port; `port: 0` is any.
 * Returns the port it got.
 */
async function listenNear(server, port, host) {
	if (port === 0) return listen(server, 0, host);
	for (let candidate = port; candidate < port + 20 && candidate <= 65_535; candidate++) {
		try {
			return await listen(server, candidate, host);
		} catch (error) {
			if (error?.code !== "EADDRINUSE") throw error;
		}
	}
	return listen(server, 0, host);
}

function listen(server, port, host) {
	return new Promise((resolve, reject) => {
		const onError = (error) => {
			server.off("listening", onListening);
			reject(error);
		};
		const onListening = () => {
			server.off("error", onError);
			resolve(server.address().port);
		};
		server.once("error", onError);
		server.once("listening", onListening);
		server.listen(port, host);
	});
}

function close(server) {
	return new Promise((resolve) => {
		server.closeAllConnections();
		server.close(() => resolve());
	});
}

/**
 * Builds the demo and serves it, with the IdP of its auth proxy on a second port and the side-by-side page's two
 * frames on two more (each client its own origin, so its own storage, Service Worker and mock backend). A taken port
 * moves to the next free one, and `portNote` says so; `port: 0` picks free ports.
 * `home`: what `/` serves: `"app"` (the default: the browser tests drive one client) or `"side-by-side"` (`npm run demo`).
 * @returns {Promise<import("./serve.d.mts").DemoServer>}
 */
export async function startDemoServer({ port = Number(process.env.PORT ?? 5173), host = "127.0.0.1", source, home = "app" } = {}) {
	await buildDemo(source === undefined ? {} : { source });
	const idp = createIdp();
	const idpPort = await listen(idp.server, 0, host);
	// Requests that reached this server, by path: what the Service Worker did not answer (pages, files, redirects followed).
	const hits = new Map();
	const frames = { naive: 0, tokenflight: 0 };
	const reactQuery = reactQueryRoute();
	const handler = (request, response) => {
		serveFile(request, response, { idpPort, hits, home, frames, reactQuery }).catch(() => response.writeHead(500).end());
	};
	const server = createServer(handler);
	const actualPort = await listenNear(server, port, host);
	// The frames: the same files from two more origins. Their hits count with the rest.
	const naiveServer = createServer(handler);
	const tokenflightServer = createServer(handler);
	frames.naive = await listenNear(naiveServer, port === 0 ? 0 : actualPort + 1, host);
	frames.tokenflight = await listenNear(tokenflightServer, port === 0 ? 0 : frames.naive + 1, host);
	const root = `http://${host}:${actualPort}/`;
	return {
		url: root,
		sideBySideUrl: `${root}side-by-side`,
		appUrl: `${root}app`,
		frameUrls: { naive: `http://${host}:${frames.naive}/`, tokenflight: `http://${host}:${frames.tokenflight}/` },
		port: actualPort,
		portNote: port !== 0 && actualPort !== port ? `Port ${port} is in use, so the demo is on port ${actualPort} instead.` : undefined,
		idpUrl: `http://${host}:${idpPort}/`,
		idpStats: () => ({ ...idp.stats, origins: [...idp.stats.origins] }),
		hits: (path) => hits.get(path) ?? 0,
		close: async () => {
			await Promise.all([close(server), close(naiveServer), close(tokenflightServer), close(idp.server), reactQuery.close()]);
		},
	};
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const demo = await startDemoServer({ home: "side-by-side" });
	const rule = "─".repeat(72);
	console.log(rule);
	if (demo.portNote) console.log(`⚠  ${demo.portNote} (PORT=… picks another.)`);
	console.log(`tokenflight demo: ${demo.url}`);
	console.log("  naive client and tokenflight side by side: pick a scenario, both frames run it, the page counts.");
	console.log(`  one client at a time, every scenario and the event log: ${demo.appUrl}`);
	console.log(`  React Query naive vs bound (tokenflight/query, tokenflight/react): ${demo.url}react-query`);
	console.log(`  (the frames are served from ${demo.frameUrls.naive} and ${demo.frameUrls.tokenflight}; the auth proxy's IdP from ${demo.idpUrl})`);
	console.log(rule);
	console.log("Ctrl+C to stop.");
}
