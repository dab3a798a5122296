// Size budgets (no timing, CI-safe): bundles each dist entry with esbuild (minify, ESM), gzips it and compares with
// scripts/size-budgets.json. Exits 1 when any entry is over budget or missing.
// Then bundles two tiny apps from dist/ (the cookie one from dist/cookie.js) as an app's bundler would (tree-shaken, code-split): a cookie-only
// app and a bearer + oauthRefresh + indexedDbTokenStore app, and checks that the cookie-only app does not load the
// refresher up front (see REFRESHER_IN_COOKIE_APP_FAILS), and that neither app ships js-cookie once bundled (JS_COOKIE_MARKER).
//   node scripts/size.mjs          check (run `npm run build` first; `npm run size` does)
//   node scripts/size.mjs --why    also list which source modules the core's own bytes come from
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const budgets = JSON.parse(readFileSync(new URL("./size-budgets.json", import.meta.url), "utf8"));
const entries = ["index", "bearer", "cookie", "mobx", "msw", "dpop"];
// As an app's production build does: React, MobX and tokenflight keep their long developer messages out of it.
const production = { "process.env.NODE_ENV": '"production"' };
const peers = ["mobx", "msw", "msw/*"]; // optional peers: always the app's own copy
const modes = [
	{ key: "own", label: "own code (ky, js-cookie external)", external: ["ky", "js-cookie", ...peers] },
	{ key: "withKy", label: "with ky bundled", external: ["js-cookie", ...peers] },
	{ key: "withDeps", label: "with ky + js-cookie bundled", external: peers },
];

async function measure(file, external, metafile = false) {
	const result = await build({
		entryPoints: [file],
		bundle: true,
		minify: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		write: false,
		metafile,
		external,
		define: production,
		logLevel: "silent",
	});
	const code = result.outputFiles[0].contents;
	return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile };
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const rows = [];
let failures = 0;
for (const entry of entries) {
	const file = `${root}dist/${entry}.js`;
	if (!existsSync(file)) {
		console.error(`missing ${file}: run npm run build first`);
		failures++;
		continue;
	}
	for (const mode of modes) {
		const { min, gzip } = await measure(file, mode.external);
		const budget = budgets[entry]?.[mode.key];
		const ok = budget !== undefined && gzip <= budget;
		if (!ok) failures++;
		rows.push([`tokenflight${entry === "index" ? "" : `/${entry}`}`, mode.label, kb(min), kb(gzip), budget === undefined ? "none" : kb(budget), budget ? `${((gzip / budget) * 100).toFixed(0)} %` : "–", ok ? "ok" : "OVER"]);
	}
}

const headers = ["entry", "bundle", "minified", "gzip", "budget (gzip)", "of budget", ""];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
console.log(line(headers));
console.log(`| ${widths.map((w, i) => (i < 2 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`);
for (const r of rows) console.log(line(r));
console.log("\nKB = 1,024 bytes; gzip = zlib level 9 of the esbuild-minified ESM bundle, process.env.NODE_ENV defined as \"production\"; mobx and msw always external.");

// ---- Two tiny apps, bundled from the built dist/index.js (code splitting on, as in an app's production build) ----

// A string of src/refresh/refresher.ts that survives minification: where it is, the refresher is.
const REFRESHER_MARKER = "The stored refresh token was already used";
// While false, a refresher in the cookie-only app's initial load is a warning. Flip to true once createClient
// imports the refresher lazily (a dynamic import) for bearer auth: it then fails the size check.
const REFRESHER_IN_COOKIE_APP_FAILS = true;

const dist = JSON.stringify(`${root}dist/index.js`);
const apps = [
	{
		key: "cookie",
		label: "cookie-only app",
		source: `import { createClient } from ${JSON.stringify(`${root}dist/cookie.js`)};
const client = createClient({ baseUrl: "https://api.example.com/", auth: { type: "cookie", csrf: { cookie: "XSRF-TOKEN", header: "X-XSRF-TOKEN" } } });
client.get("me").then((me) => client.post("visits", { me }));
`,
	},
	{
		key: "bearer",
		label: "bearer app (oauthRefresh, indexedDbTokenStore)",
		source: `import { createClient, indexedDbTokenStore, oauthRefresh } from ${JSON.stringify(`${root}dist/bearer.js`)};
const client = createClient({
	baseUrl: "https://api.example.com/",
	auth: { type: "bearer", store: indexedDbTokenStore(), refresh: oauthRefresh({ tokenEndpoint: "https://auth.example.com/oauth/token", clientId: "app" }) },
});
client.get("me").then((me) => client.post("visits", { me }));
`,
	},
];
// A property name of js-cookie's API that survives minification: where it is, js-cookie is.
const JS_COOKIE_MARKER = "withConverter";
const appModes = [
	{ key: "own", label: "ky, js-cookie external" },
	{ key: "withDeps", label: "ky + js-cookie bundled" },
];
// A string only the cookie credentials carry (readCookie's percent-decoding): a bearer app from tokenflight/bearer ships none.
const COOKIE_CODE_MARKER = "(%[\\dA-F]{2})+";

/** Bundles one app; returns its chunks split into the initial load (entry + static imports) and the rest. */
async function measureApp(app, external) {
	const outdir = `${root}.size-apps`; // never written (write: false); splitting needs an outdir
	const result = await build({
		entryPoints: [`app:${app.key}`],
		bundle: true,
		minify: true,
		treeShaking: true,
		splitting: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		write: false,
		outdir,
		absWorkingDir: root,
		metafile: true,
		external,
		define: production,
		logLevel: "silent",
		plugins: [
			{
				name: "apps",
				setup(b) {
					b.onResolve({ filter: /^app:/ }, (args) => ({ path: args.path, namespace: "app" }));
					b.onLoad({ filter: /.*/, namespace: "app" }, () => ({ contents: app.source, loader: "js", resolveDir: root }));
				},
			},
		],
	});
	const files = new Map(result.outputFiles.filter((f) => f.path.endsWith(".js")).map((f) => [f.path, f.contents]));
	const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([path, meta]) => [resolve(root, path), meta]));
	const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint !== undefined);
	// Initial load: the entry and every chunk reachable from it through static imports (dynamic ones load later).
	const initial = new Set();
	const visit = (path) => {
		if (initial.has(path)) return;
		initial.add(path);
		for (const { path: to, kind, external: isExternal } of outputs[path].imports) if (!isExternal && kind === "import-statement") visit(resolve(root, to));
	};
	visit(entry);
	const chunk = (path) => {
		const code = files.get(path);
		return { path, min: code.length, gzip: gzipSync(code, { level: 9 }).length, text: Buffer.from(code).toString("utf8") };
	};
	const all = [...files.keys()].map(chunk);
	return { entry, initial: all.filter((c) => initial.has(c.path)), all };
}

const sum = (chunks, key) => chunks.reduce((n, c) => n + c[key], 0);
const appRows = [];
const refresherNotes = [];
for (const app of apps) {
	for (const mode of appModes) {
		const { entry, initial, all } = await measureApp(app, mode.key === "own" ? ["ky", "js-cookie"] : []);
		const budget = mode.key === "own" ? budgets.apps?.[app.key] : budgets.appsWithDeps?.[app.key];
		const initialGzip = sum(initial, "gzip");
		const allGzip = sum(all, "gzip");
		const ok = budget?.initial !== undefined && budget?.all !== undefined && initialGzip <= budget.initial && allGzip <= budget.all;
		if (!ok) failures++;
		const status = ok ? "ok" : "OVER";
		appRows.push([
			app.label,
			mode.label,
			`${initial.length} / ${all.length}`,
			kb(sum(initial, "min")),
			kb(initialGzip),
			kb(sum(all, "min")),
			kb(allGzip),
			budget ? `${kb(budget.initial)} / ${kb(budget.all)}` : "none",
			status,
		]);
		if (mode.key === "withDeps" && all.some((c) => c.text.includes(JS_COOKIE_MARKER))) {
			// Neither app keeps tokens in a cookie: js-cookie is cookieTokenStore's alone (a chunk of its own, see rollup.config.mjs).
			failures++;
			refresherNotes.push(`FAIL  ${app.label} (${mode.label}): ships js-cookie though it never calls cookieTokenStore`);
		}
		const cookieCode = all.some((c) => c.text.includes(COOKIE_CODE_MARKER));
		if (app.key === "bearer" && cookieCode) {
			failures++;
			refresherNotes.push(`FAIL  ${app.label} (${mode.label}): ships the cookie credentials (found by ${JSON.stringify(COOKIE_CODE_MARKER)})`);
		} else if (app.key === "bearer") refresherNotes.push(`ok    ${app.label} (${mode.label}): no cookie code`);
		if (app.key === "cookie" && !cookieCode) {
			// The check above would pass blindly if the marker were gone.
			failures++;
			refresherNotes.push(`FAIL  cookie marker ${JSON.stringify(COOKIE_CODE_MARKER)} not found in the cookie app: update COOKIE_CODE_MARKER in scripts/size.mjs`);
		}
		const where = (chunks) => chunks.filter((c) => c.text.includes(REFRESHER_MARKER)).map((c) => (c.path === entry ? "entry chunk" : c.path.slice(c.path.lastIndexOf("/") + 1)));
		if (app.key === "bearer" && where(all).length === 0) {
			// The check below would pass blindly: the marker string left src/refresh/refresher.ts or was minified away.
			failures++;
			refresherNotes.push(`FAIL  refresher marker ${JSON.stringify(REFRESHER_MARKER)} not found in the bearer app (${mode.label}): update REFRESHER_MARKER in scripts/size.mjs`);
		}
		if (app.key === "cookie") {
			const upFront = where(initial);
			const lazy = where(all).filter((name) => !upFront.includes(name));
			if (upFront.length === 0) {
				refresherNotes.push(`ok    cookie-only app (${mode.label}): no refresher in its initial load${lazy.length ? ` (only in lazily loaded ${lazy.join(", ")})` : ""}`);
			} else {
				if (REFRESHER_IN_COOKIE_APP_FAILS) failures++;
				refresherNotes.push(
					`${REFRESHER_IN_COOKIE_APP_FAILS ? "FAIL" : "WARN"}  cookie-only app (${mode.label}): the refresher is in its initial load (${upFront.join(", ")}), found by ${JSON.stringify(REFRESHER_MARKER)}; createClient should import it lazily for bearer auth`,
				);
			}
		}
	}
}

const appHeaders = ["app", "bundle", "chunks (initial / all)", "initial min", "initial gzip", "all chunks min", "all chunks gzip", "budget gzip (initial / all)", ""];
const appWidths = appHeaders.map((h, i) => Math.max(h.length, ...appRows.map((r) => r[i].length)));
const appLine = (r) => `| ${r.map((c, i) => (i < 2 ? c.padEnd(appWidths[i]) : c.padStart(appWidths[i]))).join(" | ")} |`;
console.log("\nTwo tiny apps bundled from dist/cookie.js and dist/bearer.js (esbuild: bundle, minify, tree-shake, ESM, splitting):\n");
console.log(appLine(appHeaders));
console.log(`| ${appWidths.map((w, i) => (i < 2 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`);
for (const r of appRows) console.log(appLine(r));
console.log("\nInitial = the entry chunk plus chunks it imports statically; all = every chunk, dynamic imports included. Gzip of several chunks = sum of each chunk's gzip. Budgets apply to both bundles (apps, appsWithDeps in size-budgets.json).");
console.log(`\nWhat the apps must not ship: the refresher in the cookie-only app (${REFRESHER_IN_COOKIE_APP_FAILS ? "fails" : "warns only"}; REFRESHER_IN_COOKIE_APP_FAILS), js-cookie in either:`);
for (const note of refresherNotes) console.log(`  ${note}`);

{
	// The js-cookie check above would pass blindly if the marker were gone: an app that does use cookieTokenStore must show it.
	const control = { key: "cookieStore", source: `import { cookieTokenStore } from ${dist};\nconsole.log(cookieTokenStore("tokens"));\n` };
	const { all } = await measureApp(control, []);
	const found = all.some((c) => c.text.includes(JS_COOKIE_MARKER));
	if (!found) failures++;
	console.log(`\njs-cookie: ${found ? "ok    found" : `FAIL  not found (update JS_COOKIE_MARKER in scripts/size.mjs)`} in an app that calls cookieTokenStore; the two apps above are checked to ship none of it.`);
}

if (process.argv.includes("--why")) {
	// Attribution by source module: bundle src/index.ts itself (esbuild reads TS) and list minified bytes per input.
	const { metafile } = await measure(`${root}src/index.ts`, modes[0].external, true);
	const inputs = Object.values(metafile.outputs)[0].inputs;
	const list = Object.entries(inputs)
		.map(([path, { bytesInOutput }]) => [path.replace(root, ""), bytesInOutput])
		.sort((a, b) => b[1] - a[1]);
	console.log("\nCore own code by source module (minified bytes, before gzip):");
	for (const [path, bytes] of list) console.log(`  ${String(bytes).padStart(6)}  ${path}`);
}

if (failures > 0) {
	console.error(`\nsize: ${failures} bundle(s) over budget or missing (budgets: scripts/size-budgets.json)`);
	process.exit(1);
}
console.log("\nsize: all bundles within budget");
