import { readFileSync } from "node:fs";
import { dts } from "rollup-plugin-dts";
import esbuild from "rollup-plugin-esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

// One entry per public export path. Each is its own module graph, so `tokenflight/mobx` is the only one that touches mobx.
const entries = {
	index: "src/index.ts",
	bearer: "src/bearer/index.ts",
	cookie: "src/cookie/index.ts",
	mobx: "src/mobx/index.ts",
	msw: "src/msw/index.ts",
	dpop: "src/dpop/index.ts",
};

const external = [
	...Object.keys(pkg.dependencies ?? {}),
	...Object.keys(pkg.peerDependencies ?? {}),
	"msw",
	/^msw\//,
	/^node:/,
];

// js-cookie has no `sideEffects: false`, so a bundler keeps it wherever an import of it survives. It is imported only by
// cookieTokenStore, in a chunk of its own, and entries do not hoist their chunks' imports: an app that never calls
// cookieTokenStore drops that chunk (tokenflight is `sideEffects: false`) and js-cookie with it.
const chunking = {
	hoistTransitiveImports: false,
	// Its dependency tokenStores.ts gets a chunk too; otherwise rollup would pull it into cookieTokenStore's, which every app then loads.
	manualChunks: (id) => /\/src\/tokens\/(cookieTokenStore|tokenStores)\.ts$/.exec(id)?.[1],
};

export default [
	{
		input: entries,
		external,
		plugins: [esbuild({ target: "es2022" })],
		output: [
			{ dir: "dist", format: "esm", entryFileNames: "[name].js", chunkFileNames: "shared/[name]-[hash].js", sourcemap: true, ...chunking },
			// ky is ESM-only: required from CJS (Node ≥ 22.12 require(esm)) it is a namespace whose default export is ky.
			{ dir: "dist", format: "cjs", entryFileNames: "[name].cjs", chunkFileNames: "shared/[name]-[hash].cjs", sourcemap: true, interop: "auto", ...chunking },
		],
	},
	{
		input: entries,
		external,
		plugins: [dts()],
		output: [
			{ dir: "dist", format: "esm", entryFileNames: "[name].d.ts", chunkFileNames: "shared/[name]-[hash].d.ts" },
			{ dir: "dist", format: "cjs", entryFileNames: "[name].d.cts", chunkFileNames: "shared/[name]-[hash].d.cts" },
		],
	},
];
