// A test's own page (test/browser/<name>/page.ts) bundled against the rollup output, as an app imports the package,
// and served at "/" (the HTML) and "/page.js" (the bundle) by the test's server on one origin.
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/**
 * Bundles test/browser/`name`/page.ts. Its imports of `../../../src/index.js` (and of `src/<entry>/index.js` for each
 * of `entries`) resolve to dist/index.js (dist/<entry>.js): `npm run build` first.
 */
export async function bundleTestPage(name: string, entries: string[] = []): Promise<string> {
	const dist = new Map([["index", "dist/index.js"], ...entries.map((entry) => [`${entry}/index`, `dist/${entry}.js`] as const)]);
	for (const file of dist.values()) if (!existsSync(root(file))) throw new Error(`${file} is missing: run npm run build first`);
	const result = await build({
		entryPoints: [root(`test/browser/${name}/page.ts`)],
		bundle: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		write: false,
		logLevel: "error",
		plugins: [
			{
				name: "tokenflight-dist",
				setup(pluginBuild) {
					pluginBuild.onResolve({ filter: /^(\.\.\/)+src\/.*index\.(js|ts)$/ }, (args) => {
						const file = dist.get(args.path.replace(/^(\.\.\/)+src\//, "").replace(/\.(js|ts)$/, ""));
						return file ? { path: root(file) } : undefined;
					});
				},
			},
		],
	});
	return result.outputFiles[0]!.text;
}

/** Answers "/" with a page that loads "/page.js", and "/page.js" with `script`; false for any other path. */
export function serveTestPage(script: string, title: string): (request: IncomingMessage, response: ServerResponse) => boolean {
	return (request, response) => {
		const path = new URL(request.url ?? "/", "http://localhost").pathname;
		if (path === "/page.js") {
			response.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(script);
			return true;
		}
		if (path === "/") {
			response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
			response.end(`<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/page.js"></script>`);
			return true;
		}
		return false;
	};
}
