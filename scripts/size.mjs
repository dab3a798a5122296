// Size budgets (no timing, CI-safe): bundles each dist entry with esbuild (minify, ESM), gzips it and compares with
// scripts/size-budgets.json. Exits 1 when any entry is over budget or missing.
//   node scripts/size.mjs          check (run `npm run build` first; `npm run size` does)
//   node scripts/size.mjs --why    also list which source modules the core's own bytes come from
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const budgets = JSON.parse(readFileSync(new URL("./size-budgets.json", import.meta.url), "utf8"));
const entries = ["index", "mobx", "msw"];
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
console.log("\nKB = 1,024 bytes; gzip = zlib level 9 of the esbuild-minified ESM bundle; mobx and msw always external.");

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
