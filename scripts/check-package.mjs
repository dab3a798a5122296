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
//
// Types as a consumer sees them: the scratch project compiles a file that imports every entry with the repo's tsc,
// `skipLibCheck: false` and `strict`, under NodeNext (an .mts through the `import` types and a .cts through the
// `require` types) and under `moduleResolution: "bundler"`. @types/js-cookie is deliberately not installed there:
// the published declarations must not need it (or any other @types package).
//
// mobx 4 app: a second scratch project pins mobx@4.15.7 (Outline's version), installs the tarball with
// --strict-peer-deps (an ERESOLVE fails the step), and compiles and runs `tokenflight/mobx` against that mobx.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const scratch = mkdtempSync(join(tmpdir(), "tokenflight-pack-"));
const failures = [];

/** Runs one check; returns whether it passed (a step skipped because of `when === false` counts as failed). */
function step(title, fn, when = true) {
	console.log(`\n── ${title}`);
	if (!when) {
		failures.push(title);
		console.error(`✘ ${title}: skipped, an earlier step it needs failed`);
		return false;
	}
	try {
		fn();
		console.log(`✔ ${title}`);
		return true;
	} catch (error) {
		failures.push(title);
		console.error(`✘ ${title}: ${error.message.split("\n")[0]}`);
		return false;
	}
}

/** Runs a command with inherited output; throws on a non-zero exit. */
function run(command, args, options = {}) {
	const result = spawnSync(command, args, { stdio: "inherit", encoding: "utf8", ...options });
	if (result.error) throw result.error;
	if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}`);
	return result;
}

/** Strict consumer settings; no `types` so that no ambient @types package can paper over a missing import. */
const consumerCompilerOptions = {
	strict: true,
	skipLibCheck: false,
	noEmit: true,
	target: "ES2022",
	lib: ["ES2023", "DOM", "DOM.Iterable"],
	types: [],
};

/** A consumer file that imports every entry and uses the key types; compiled under NodeNext (ESM and CJS) and bundler. */
function writeConsumerTypes(project) {
	const source = `import {
	ApiError,
	AuthenticationError,
	HttpError,
	RateLimitError,
	RefreshError,
	cookieTokenStore,
	createClient,
	isApiError,
	memoryTokenStore,
	oauthRefresh,
	storageTokenStore,
	watchSession,
} from "tokenflight";
import type { ApiErrorCode, Client, ClientOptions, RequestOptions, SessionSnapshot, SessionStatus, TokenSet, TokenStore } from "tokenflight";
import { createSessionStore } from "tokenflight/mobx";
import type { ObservableSession } from "tokenflight/mobx";
import { createMockAuthServer } from "tokenflight/msw";
import type { LoginResult, MockAuthServer } from "tokenflight/msw";
import { createDPoP, jwkThumbprint } from "tokenflight/dpop";
import type { DPoP } from "tokenflight/dpop";
import { SessionBoundary, useSession } from "tokenflight/react";
import type { SessionBoundaryProps } from "tokenflight/react";
import { bindQueryClient } from "tokenflight/query";
import type { BindQueryClientOptions } from "tokenflight/query";
import { QueryClient } from "@tanstack/query-core";

const tokens: TokenSet = { accessToken: "a", refreshToken: "r", expiresAt: Date.now() + 60_000 };
const store: TokenStore = memoryTokenStore(tokens);
const cookies: TokenStore = cookieTokenStore("tokens", { sameSite: "Lax", secure: true, expires: 7, path: "/", domain: "app.example" });
const local: TokenStore = storageTokenStore(localStorage, "tokens");
const options: ClientOptions = {
	baseUrl: "https://app.example/api/",
	auth: { type: "bearer", store, refresh: oauthRefresh({ tokenEndpoint: "https://app.example/oauth/token", clientId: "web" }) },
	reauthenticate: (reason) => {
		void reason;
	},
	reloadGuard: { maxAttempts: 2, storage: null, history: null },
	identity: (response) => response.headers.get("x-user-id"),
	tabs: false,
};
const client: Client = createClient(options);
const cookieClient: Client = createClient({ baseUrl: new URL("https://app.example/api/"), auth: { type: "cookie", csrf: { cookie: "csrf", header: "x-csrf-token" } } });
const snapshot: SessionSnapshot = client.session.getSnapshot();
const status: SessionStatus = snapshot.status;
const stopWatching: () => void = watchSession(client.session, { onSessionEnded: () => undefined });
const observable: ObservableSession = createSessionStore(cookieClient);
const isAuthenticated: boolean = observable.isAuthenticated;
const mock: MockAuthServer = createMockAuthServer({ origin: "https://app.example" });
const login: LoginResult = mock.login("alice");
const refreshCalls: number = mock.counters.refreshCalls;
const perRequest: RequestOptions = { auth: false, timeout: 5_000, headers: { accept: "application/json" } };
// A binding from tokenflight/dpop must fit the core's auth.dpop and oauthRefresh's dpop, across entries.
const dpop: DPoP = createDPoP({ name: "app", storage: "memory" });
const dpopClient: Client = createClient({
	baseUrl: "https://app.example/api/",
	auth: { type: "bearer", store, dpop, refresh: oauthRefresh({ tokenEndpoint: "https://app.example/oauth/token", clientId: "web", dpop }) },
});
const jkt: Promise<string> = jwkThumbprint({ kty: "EC", crv: "P-256", x: "x", y: "y" });
const boundaryProps: SessionBoundaryProps = { client, signedOut: "Sign in", reauthenticating: "Signing you in again" };
const readSession: () => SessionSnapshot = () => useSession(client);
const userScoped: BindQueryClientOptions = { userScoped: (query) => query.queryKey[0] !== "public" };
const unbind: () => void = bindQueryClient(new QueryClient(), client, userScoped);

export async function listDocuments(): Promise<string> {
	try {
		const documents = await client.post<{ data: { id: string }[] }>("documents.list", { limit: 10 }, perRequest);
		await client.signIn({ accessToken: login.accessToken }, "alice");
		return documents.data[0]?.id ?? status;
	} catch (error: unknown) {
		if (error instanceof AuthenticationError) return \`signed out: \${error.status}\`;
		if (error instanceof RateLimitError) return String(error.retryAfterMs);
		if (error instanceof HttpError) return String(error.status);
		if (error instanceof RefreshError || error instanceof ApiError) return error.message;
		if (isApiError(error)) {
			const code: ApiErrorCode = error.code;
			return code;
		}
		throw error;
	} finally {
		stopWatching();
		observable.dispose();
		client.dispose();
		dpopClient.dispose();
		void [cookies, local, isAuthenticated, refreshCalls, jkt, boundaryProps, readSession, SessionBoundary];
		unbind();
	}
}
`;
	writeFileSync(join(project, "consumer.mts"), source);
	writeFileSync(join(project, "consumer.cts"), source);
	writeFileSync(join(project, "consumer.ts"), source);
	const tsconfig = (compilerOptions, files) => JSON.stringify({ compilerOptions: { ...consumerCompilerOptions, ...compilerOptions }, files }, null, "\t");
	writeFileSync(join(project, "tsconfig.nodenext.json"), tsconfig({ module: "NodeNext", moduleResolution: "NodeNext" }, ["consumer.mts", "consumer.cts"]));
	writeFileSync(join(project, "tsconfig.bundler.json"), tsconfig({ module: "ESNext", moduleResolution: "bundler" }, ["consumer.ts"]));
	// A Node-only project (a server, a CLI, a test runner): no DOM lib, only @types/node. The declarations must not
	// name DOM types (History, Location) that such a project lacks.
	const nodeOnly = `import { createClient, memoryTokenStore, oauthRefresh, redirectTo, storageTokenStore, type ClientOptions } from "tokenflight";
import { createClient as createCookieClient } from "tokenflight/cookie";
import { createSessionStore } from "tokenflight/mobx";
import { createMockAuthServer } from "tokenflight/msw";
import { createDPoP } from "tokenflight/dpop";
import { createClient as createBearerClient } from "tokenflight/bearer";
import { useSession } from "tokenflight/react";
import { bindQueryClient } from "tokenflight/query";

const options: ClientOptions = {
	baseUrl: "https://app.example/api/",
	auth: { type: "bearer", store: memoryTokenStore(null), refresh: oauthRefresh({ tokenEndpoint: "https://app.example/oauth/token", clientId: "web" }) },
	reloadGuard: { storage: null, history: null },
	tabs: false,
};
export const all = [createClient(options), createCookieClient({ baseUrl: "https://app.example/api/", auth: { type: "cookie" } }), createSessionStore, createMockAuthServer, createDPoP, redirectTo, storageTokenStore, createBearerClient, useSession, bindQueryClient];
`;
	writeFileSync(join(project, "node-only.mts"), nodeOnly);
	writeFileSync(join(project, "node-only.cts"), nodeOnly);
	const nodeLib = { lib: ["ES2022"], types: ["node"], module: "NodeNext", moduleResolution: "NodeNext" };
	writeFileSync(join(project, "tsconfig.node-only.json"), tsconfig(nodeLib, ["node-only.mts", "node-only.cts"]));
}

try {
	// 1. Pack exactly what would be published, from a fresh checkout: the tracked files without dist/, so `prepack` must
	// build it (a clone has no dist/; without prepack the tarball held LICENSE, README and package.json only).
	const clone = join(scratch, "clone");
	for (const file of execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean)) {
		if (!existsSync(join(root, file))) continue; // deleted in the work tree, not yet committed
		mkdirSync(dirname(join(clone, file)), { recursive: true });
		copyFileSync(join(root, file), join(clone, file));
	}
	if (existsSync(join(clone, "dist"))) throw new Error("dist/ is tracked: a fresh clone would not prove prepack");
	symlinkSync(join(root, "node_modules"), join(clone, "node_modules"), "dir"); // what `npm ci` gives a clone
	const packOutput = execFileSync("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
	// The build's own output may come first on stdout; the JSON report is the last thing npm prints.
	const packed = JSON.parse(packOutput.slice(packOutput.lastIndexOf("\n[\n") + 1))[0];
	step("npm pack on a fresh checkout builds first (prepack) and packs dist/", () => {
		for (const file of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/cookie.js", "dist/mobx.js", "dist/msw.js", "dist/dpop.js"]) {
			if (!packed.files.some((entry) => entry.path === file)) throw new Error(`the tarball has no ${file}`);
		}
	});
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
	// @types/react: the consumer below compiles tokenflight/react's declarations, which import react's types.
	for (const peer of ["mobx", "msw", "react", "@tanstack/query-core", "@types/react"]) {
		const target = join(root, "node_modules", peer);
		if (!existsSync(target)) throw new Error(`${peer} is missing from node_modules: run npm ci`);
		mkdirSync(dirname(join(project, "node_modules", peer)), { recursive: true });
		if (!existsSync(join(project, "node_modules", peer))) symlinkSync(target, join(project, "node_modules", peer), "dir");
	}

	const expectations = {
		tokenflight: ["createClient", "isApiError", "memoryTokenStore", "oauthRefresh"],
		"tokenflight/mobx": ["createSessionStore"],
		"tokenflight/msw": ["createMockAuthServer"],
		"tokenflight/dpop": ["createDPoP", "jwkThumbprint", "accessTokenHash"],
		"tokenflight/react": ["useSession", "SessionBoundary", "isSessionError"],
		"tokenflight/query": ["bindQueryClient", "isSessionError"],
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
	if (entry === "tokenflight/dpop" && typeof mod.createDPoP === "function") {
		try {
			const proof = await mod.createDPoP({ storage: "memory" }).proof({ method: "GET", url: "https://app.example/api/me", accessToken: "a", now: Date.now() });
			if (proof.split(".").length !== 3) problems.push("tokenflight/dpop: proof() returned no JWS");
		} catch (error) { problems.push("tokenflight/dpop: proof() threw: " + error.message); }
	}
}
if (problems.length) { console.error(problems.map((p) => "  " + p).join("\\n")); process.exit(1); }
console.log("  all entries load, all key exports present");
`;
	writeFileSync(join(project, "smoke.mjs"), `${body("await import(entry)")}`);
	writeFileSync(join(project, "smoke.cjs"), `(async () => {${body("require(entry)")}})();`);
	step(`ESM: import each entry (node ${process.version})`, () => run(process.execPath, ["smoke.mjs"], { cwd: project }));
	step(`CJS: require each entry (node ${process.version}, require(esm) for ky)`, () => run(process.execPath, ["smoke.cjs"], { cwd: project }));

	// 4. The published declarations compile in a strict consumer, without skipLibCheck and without @types/js-cookie.
	writeConsumerTypes(project);
	step("types: no @types/js-cookie in the scratch project", () => {
		if (existsSync(join(project, "node_modules", "@types", "js-cookie"))) throw new Error("@types/js-cookie is installed: the check would not prove anything");
	});
	step("types: tsc, skipLibCheck false, strict, NodeNext (.mts → import types, .cts → require types)", () =>
		run(bin("tsc"), ["-p", "tsconfig.nodenext.json"], { cwd: project }),
	);
	step('types: tsc, skipLibCheck false, strict, moduleResolution "bundler"', () => run(bin("tsc"), ["-p", "tsconfig.bundler.json"], { cwd: project }));
	step('types: a Node-only consumer (lib es2022, types node, no DOM), skipLibCheck false, every entry', () => {
		const types = join(project, "node_modules", "@types");
		mkdirSync(types, { recursive: true });
		if (!existsSync(join(types, "node"))) symlinkSync(join(root, "node_modules", "@types", "node"), join(types, "node"), "dir");
		// The peers of tokenflight/react and tokenflight/query, as a project that imports them has them.
		for (const dep of ["react", "@types/react", "@tanstack/query-core"]) {
			const target = join(project, "node_modules", dep);
			if (existsSync(target)) continue;
			mkdirSync(dirname(target), { recursive: true });
			symlinkSync(join(root, "node_modules", dep), target, "dir");
		}
		// skipLibCheck false checks every declaration file, msw's and mobx 7's too, which need the DOM lib or ESNext
		// themselves: only errors in tokenflight's declarations and in the consumer count.
		const result = spawnSync(bin("tsc"), ["-p", "tsconfig.node-only.json"], { cwd: project, encoding: "utf8" });
		const errors = result.stdout.split("\n").filter((line) => /error TS/.test(line));
		const ours = errors.filter((line) => !/node_modules\//.test(line) || /node_modules\/tokenflight\//.test(line));
		console.log(`  ${errors.length - ours.length} errors in other packages' declarations (not counted)`);
		if (ours.length > 0) throw new Error(`tokenflight's declarations fail without the DOM lib:\n${ours.join("\n")}`);
		if (result.status !== 0 && errors.length === 0) throw new Error(result.stdout + result.stderr);
	});

	// 5. A mobx 4 app installs the tarball with strict peer dependencies, and tokenflight/mobx works on its mobx.
	const mobx4 = join(scratch, "mobx4-app");
	mkdirSync(mobx4);
	writeFileSync(
		join(mobx4, "package.json"),
		JSON.stringify({ name: "tokenflight-mobx4-app", private: true, version: "0.0.0", type: "module", dependencies: { mobx: "4.15.7" } }),
	);
	const mobx4Installed = step("mobx 4 app: npm install <tarball> --strict-peer-deps (no ERESOLVE)", () => {
		const args = ["install", tarball, "--strict-peer-deps", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"];
		const offline = spawnSync("npm", [...args, "--offline"], { cwd: mobx4, stdio: "inherit" });
		if (offline.status === 0) console.log("installed offline, from the npm cache");
		else {
			console.log("offline install failed, retrying against the registry");
			run("npm", args, { cwd: mobx4 });
		}
		const version = JSON.parse(readFileSync(join(mobx4, "node_modules", "mobx", "package.json"), "utf8")).version;
		if (version !== "4.15.7") throw new Error(`expected mobx 4.15.7 in the app, found ${version}`);
	});
	step("mobx 4 app: tokenflight/mobx follows the session on mobx 4.15.7", () => {
		writeFileSync(
			join(mobx4, "app.mjs"),
			`import { autorun } from "mobx";
import { createClient, memoryTokenStore } from "tokenflight";
import { createSessionStore } from "tokenflight/mobx";
const client = createClient({ baseUrl: "http://127.0.0.1:9/api/", auth: { type: "bearer", store: memoryTokenStore(null) }, tabs: false, reloadGuard: { storage: null, history: null } });
const session = createSessionStore(client);
const seen = [];
const stop = autorun(() => seen.push(session.status + ":" + session.isAuthenticated));
await client.signIn({ accessToken: "a" }, "alice");
await client.logout();
stop();
session.dispose();
client.dispose();
console.log("  observed " + seen.join(" → "));
if (!seen.includes("authenticated:true") || seen.at(-1) !== "signedOut:false") process.exit(1);
`,
		);
		run(process.execPath, ["app.mjs"], { cwd: mobx4 });
	}, mobx4Installed);
	step("mobx 4 app: tsc, skipLibCheck false, strict, NodeNext, tokenflight/mobx against mobx 4's types", () => {
		writeFileSync(
			join(mobx4, "app.mts"),
			`import { reaction } from "mobx";
import { createClient, memoryTokenStore, type SessionStatus } from "tokenflight";
import { createSessionStore, type ObservableSession } from "tokenflight/mobx";
const client = createClient({ baseUrl: "https://app.example/api/", auth: { type: "bearer", store: memoryTokenStore(null) } });
const session: ObservableSession = createSessionStore(client, { onSessionEnded: () => undefined });
const stop = reaction(() => session.status, (status: SessionStatus) => console.log(status));
stop();
`,
		);
		writeFileSync(join(mobx4, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...consumerCompilerOptions, module: "NodeNext", moduleResolution: "NodeNext" }, files: ["app.mts"] }, null, "\t"));
		run(bin("tsc"), ["-p", "tsconfig.json"], { cwd: mobx4 });
	}, mobx4Installed);

	// 6. Installed from a checkout as the README says (the packed tarball, not `npm install ./tokenflight`, whose symlink
	// would resolve the checkout's own dev mobx 7 beside the app's mobx 4): the app has one mobx, and it is the one
	// tokenflight/mobx loads.
	step("mobx 4 app: one mobx in node_modules, and tokenflight/mobx loads the app's", () => {
		const copies = [];
		const walk = (dir) => {
			for (const entry of readdirSync(dir, { withFileTypes: true })) {
				if (!entry.isDirectory()) continue;
				const path = join(dir, entry.name);
				if (entry.name === "mobx" && existsSync(join(path, "package.json"))) copies.push(path);
				walk(path);
			}
		};
		walk(join(mobx4, "node_modules"));
		if (copies.length !== 1) throw new Error(`expected one mobx, found ${copies.length}: ${copies.join(", ")}`);
		const resolved = createRequire(join(mobx4, "node_modules", "tokenflight", "dist", "mobx.cjs")).resolve("mobx");
		if (!resolved.startsWith(join(mobx4, "node_modules", "mobx") + "/")) throw new Error(`tokenflight/mobx resolves mobx at ${resolved}`);
	}, mobx4Installed);

	// 7. The examples import the package by name; they compile against the installed tarball, as a copy in an app would.
	step("examples/: tsc against the packed tarball, skipLibCheck false, strict", () => {
		const app = join(scratch, "examples-app");
		cpSync(join(root, "examples"), join(app, "examples"), { recursive: true });
		mkdirSync(join(app, "node_modules", "@types"), { recursive: true });
		symlinkSync(join(project, "node_modules", "tokenflight"), join(app, "node_modules", "tokenflight"), "dir");
		const deps = ["ky", "js-cookie", "mobx", "msw", "@types/js-cookie", "@types/node", "react", "react-dom", "@types/react", "@types/react-dom", "@tanstack/query-core", "@tanstack/react-query", "@opentelemetry/api"];
		for (const dep of deps) {
			mkdirSync(dirname(join(app, "node_modules", dep)), { recursive: true });
			symlinkSync(join(root, "node_modules", dep), join(app, "node_modules", dep), "dir");
		}
		writeFileSync(join(app, "package.json"), JSON.stringify({ name: "tokenflight-examples", private: true, type: "module" }));
		// ESNext: mobx 7's declarations use ReadonlySetLike.
		const options = { ...consumerCompilerOptions, lib: ["ESNext", "DOM", "DOM.Iterable"], module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], allowJs: true, checkJs: true };
		writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: ["examples"] }, null, "\t"));
		run(bin("tsc"), ["-p", "tsconfig.json"], { cwd: app });
	});
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
