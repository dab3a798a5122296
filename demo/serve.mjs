// Builds the demo SPA and serves it on 127.0.0.1: `npm run demo`, or `startDemoServer()` from the browser tests.
import { copyFile, readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

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
		entryPoints: [join(demoDir, "src/main.ts")],
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

async function serveFile(request, response) {
	const url = new URL(request.url ?? "/", "http://localhost");
	const path = decodeURIComponent(url.pathname);
	const file = normalize(join(demoDir, path === "/" ? "index.html" : path));
	// `?pageDelay=ms` slows the page itself down, as a real server would be: on localhost a reload is so quick
	// that the naive client's toasts are gone before anyone sees them. The reloads keep the query, so they wait too.
	const pageDelay = Math.min(Number(url.searchParams.get("pageDelay")) || 0, 10_000);
	if (pageDelay > 0 && path === "/") await new Promise((resolve) => setTimeout(resolve, pageDelay));
	if (!file.startsWith(demoDir + sep) || file.includes(`${sep}src${sep}`)) {
		response.writeHead(404).end("Not found");
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

/**
 * Builds the demo and serves it. `port: 0` picks a free port; a taken port falls back to a free one.
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startDemoServer({ port = Number(process.env.PORT ?? 5173), host = "127.0.0.1", source } = {}) {
	await buildDemo(source === undefined ? {} : { source });
	const server = createServer((request, response) => {
		serveFile(request, response).catch(() => response.writeHead(500).end());
	});
	let actualPort;
	try {
		actualPort = await listen(server, port, host);
	} catch (error) {
		if (error?.code !== "EADDRINUSE") throw error;
		actualPort = await listen(server, 0, host);
	}
	return {
		url: `http://${host}:${actualPort}/`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const { url } = await startDemoServer();
	console.log(`tokenflight demo: ${url}`);
	console.log("Scenarios are in the right-hand panel; the event log survives reloads. Ctrl+C to stop.");
}
