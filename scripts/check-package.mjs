// Package check (CI-safe, no timing): packs the package as npm would publish it, lints the tarball with publint
// (--strict) and @arethetypeswrong/cli, then installs the tarball into a scratch project and imports/requires
// every entry, asserting the key exports exist and that a client can be created. Exits 1 on any failure.
// Run `npm run build` first (`npm run check:package` does).
//
// attw runs with `--profile node16`: the strict profile also checks TypeScript's legacy `node10` resolution
// (moduleResolution "node"), which ignores package.json "exports", so the `tokenflight/mobx` and `tokenflight/msw`
// subpaths cannot resolve there without a `typesVersions` map. We support Node ≥ 20 and modern resolutions
// (node16/nodenext/bundler) only. Not ignored: CJS→ESM. `require("tokenflight")` loads ESM-only ky through
// require(esm) (Node ≥ 22.12; earlier Node 20/22 need ESM import) — attw does not flag that, and the CJS smoke test
// below runs it for real on this Node.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const scratch = mkdtempSync(join(tmpdir(), "tokenflight-pack-"));
const failures = [];

function step(title, fn) {
	console.log(`\n── ${title}`);
	try {
		fn();
		console.log(`✔ ${title}`);
	} catch (error) {
		failures.push(title);
		console.error(`✘ ${title}: ${error.message.split("\n")[0]}`);
	}
}

/** Runs a command with inherited output; throws on a non-zero exit. */
function run(command, args, options = {}) {
	const result = spawnSync(command, args, { stdio: "inherit", encoding: "utf8", ...options });
	if (result.error) throw result.error;
	if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}`);
	return result;
}

try {
	if (!existsSync(join(root, "dist", "index.js"))) throw new Error("dist/ is missing: run npm run build first");

	// 1. Pack exactly what would be published.
	const packed = JSON.parse(
		execFileSync("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }),
	)[0];
	const tarball = join(scratch, packed.filename);
	console.log(`packed ${packed.filename}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} KiB (${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked)`);
	const stray = packed.files.map((f) => f.path).filter((p) => !/^(dist\/|README\.md$|LICENSE|package\.json$)/.test(p));
	step("tarball holds only dist/, README, LICENSE, package.json", () => {
		if (stray.length > 0) throw new Error(`unexpected files: ${stray.join(", ")}`);
	});

	// 2. Lints on the tarball itself.
	step("publint --strict", () => run(bin("publint"), ["run", tarball, "--strict"]));
	step("attw --profile node16", () => run(bin("attw"), [tarball, "--profile", "node16", "--format", "table-flipped", "--no-color"]));

	// 3. Smoke test: a scratch project installs the tarball; ky and js-cookie come from the registry (or its cache).
	const project = join(scratch, "smoke");
	mkdirSync(project);
	writeFileSync(join(project, "package.json"), JSON.stringify({ name: "tokenflight-smoke", private: true, version: "0.0.0" }));
	step("npm install <tarball> in a scratch project", () => {
		const args = ["install", tarball, "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"];
		const offline = spawnSync("npm", [...args, "--offline"], { cwd: project, stdio: "inherit" });
		if (offline.status === 0) console.log("installed offline, from the npm cache");
		else {
			console.log("offline install failed, retrying against the registry");
			run("npm", args, { cwd: project });
		}
		for (const dep of ["tokenflight", "ky", "js-cookie"]) {
			if (!existsSync(join(project, "node_modules", dep, "package.json"))) throw new Error(`${dep} was not installed`);
		}
	});
	// Optional peers: linked from this repo rather than downloaded (msw alone pulls dozens of packages).
	for (const peer of ["mobx", "msw"]) {
		const target = join(root, "node_modules", peer);
		if (!existsSync(target)) throw new Error(`${peer} is missing from node_modules: run npm ci`);
		if (!existsSync(join(project, "node_modules", peer))) symlinkSync(target, join(project, "node_modules", peer), "dir");
	}

	const expectations = {
		tokenflight: ["createClient", "isApiError", "memoryTokenStore", "oauthRefresh"],
		"tokenflight/mobx": ["createSessionStore"],
		"tokenflight/msw": ["createMockAuthServer"],
	};
	// Creating (and disposing) a client exercises the ky default-import interop, which a plain export check misses.
	const body = (load) => `
const expectations = ${JSON.stringify(expectations)};
const problems = [];
for (const [entry, names] of Object.entries(expectations)) {
	let mod;
	try { mod = ${load}; } catch (error) { problems.push(entry + ": failed to load: " + error.message); continue; }
	for (const name of names) if (typeof mod[name] !== "function") problems.push(entry + ": export " + name + " is " + typeof mod[name]);
	if (entry === "tokenflight" && typeof mod.createClient === "function") {
		try {
			const client = mod.createClient({ baseUrl: "http://127.0.0.1:9/api/", auth: { type: "bearer", store: mod.memoryTokenStore(null) }, tabs: false, reloadGuard: { storage: null, history: null } });
			if (typeof client.get !== "function") problems.push("tokenflight: createClient returned no get()");
			client.dispose();
		} catch (error) { problems.push("tokenflight: createClient threw: " + error.message); }
	}
}
if (problems.length) { console.error(problems.map((p) => "  " + p).join("\\n")); process.exit(1); }
console.log("  all entries load, all key exports present");
`;
	writeFileSync(join(project, "smoke.mjs"), `${body("await import(entry)")}`);
	writeFileSync(join(project, "smoke.cjs"), `(async () => {${body("require(entry)")}})();`);
	step(`ESM: import each entry (node ${process.version})`, () => run(process.execPath, ["smoke.mjs"], { cwd: project }));
	step(`CJS: require each entry (node ${process.version}, require(esm) for ky)`, () => run(process.execPath, ["smoke.cjs"], { cwd: project }));
} catch (error) {
	failures.push(error.message);
	console.error(error);
} finally {
	rmSync(scratch, { recursive: true, force: true });
}

if (failures.length > 0) {
	console.error(`\ncheck:package: ${failures.length} failed: ${failures.join("; ")}`);
	process.exit(1);
}
console.log("\ncheck:package: all checks passed");
