// The React Query example: bundles src/main.ts with esbuild and serves it with an Outline-shaped API on 127.0.0.1.
//   node examples/react-query/server.mjs      (npm run build first: the app imports tokenflight's dist/, as an app would)
//   startExampleServer({ port: 0 })          from the browser tests
// Open /?mode=bound (tokenflight/query + tokenflight/react), /?mode=naive (the same app without them), or /compare
// (both side by side, with the scenarios).
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

const users = { alice: { id: "alice", name: "Alice Chen" }, bob: { id: "bob", name: "Bob Rivera" } };
const documents = {
	alice: [
		{ id: "a1", title: "Alice's launch plan", text: "Ship on Tuesday." },
		{ id: "a2", title: "Alice's budget", text: "Mostly coffee." },
	],
	bob: [
		{ id: "b1", title: "Bob's meeting notes", text: "Nothing decided." },
		{ id: "b2", title: "Bob's reading list", text: "RFC 6749, RFC 9700." },
	],
};

/** `tokenflight` and `tokenflight/*` as an app that installed the package gets them: through its package.json "exports". */
const packageExports = {
	name: "tokenflight-exports",
	setup(pluginBuild) {
		pluginBuild.onResolve({ filter: /^tokenflight(\/[\w-]+)?$/ }, async (args) => {
			const { exports } = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
			const entry = exports[`.${args.path.slice("tokenflight".length)}`];
			if (!entry) return { errors: [{ text: `tokenflight has no export ${args.path}` }] };
			return { path: join(root, entry.import.default) };
		});
	},
};

/** Bundles the app and the side-by-side page; `tokenflight/*` resolve as for an app that installed the package. */
export async function buildExample() {
	if (!existsSync(join(root, "dist", "react.js"))) throw new Error("dist/ is missing: run `npm run build` first");
	const result = await build({
		entryPoints: { app: join(here, "src", "main.ts"), compare: join(here, "src", "compare.ts") },
		outdir: join(here, "dist"), // never written (write: false); two entries need one
		bundle: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		write: false,
		define: { "process.env.NODE_ENV": '"development"' },
		logLevel: "warning",
		plugins: [packageExports],
	});
	return Object.fromEntries(result.outputFiles.map((file) => [`/${file.path.slice(file.path.lastIndexOf("/") + 1)}`, file.text]));
}

function cookies(request) {
	return Object.fromEntries((request.headers.cookie ?? "").split(/;\s*/).filter(Boolean).map((pair) => pair.split("=").map(decodeURIComponent)));
}

async function body(request) {
	let text = "";
	for await (const chunk of request) text += chunk;
	return text ? JSON.parse(text) : {};
}

/**
 * @param {{ port?: number, host?: string, apiDelayMs?: number, renewDelayMs?: number }} [options]
 */
export async function startExampleServer({ port = Number(process.env.PORT ?? 5180), host = "127.0.0.1", apiDelayMs = 40, renewDelayMs = 300 } = {}) {
	const bundles = await buildExample();
	const pages = { "/": await readFile(join(here, "index.html"), "utf8"), "/compare": await readFile(join(here, "compare.html"), "utf8") };
	/** sid → user: what the server (and the company portal in front of it) thinks each browser is signed in as. */
	const sessions = new Map();
	/** Every API answer, in order: path, the user it was for, its status. The tests' count of requests. */
	let requests = [];
	/** path → { status, message, left }: the next `left` answers of `path` fail so. */
	const faults = new Map();

	const send = (response, status, data, headers = {}) => {
		response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
		response.end(JSON.stringify(data));
	};

	async function api(request, response, url, sid) {
		const path = url.pathname.slice("/api/".length);
		const user = sessions.get(sid);
		const answer = (status, data) => {
			requests.push({ path, query: url.search, user: user ?? null, status });
			send(response, status, data, user ? { "x-user-id": user } : {});
		};
		await new Promise((resolve) => setTimeout(resolve, apiDelayMs));
		if (!user) return answer(401, { message: "Authentication required" });
		const fault = faults.get(path);
		if (fault && fault.left > 0) {
			fault.left--;
			return answer(fault.status, { message: fault.message });
		}
		if (path === "auth.info") return answer(200, { data: { user: users[user] } });
		if (path === "documents.list") return answer(200, { data: documents[user].map(({ id, title }) => ({ id, title, owner: user })) });
		if (path === "documents.info") {
			const doc = documents[user].find((candidate) => candidate.id === url.searchParams.get("id"));
			return doc ? answer(200, { data: { ...doc, owner: user } }) : answer(404, { message: "Document not found" });
		}
		return answer(404, { message: "No such endpoint" });
	}

	/** A new session for `user`; returns its Set-Cookie. */
	function newSession(user) {
		const sid = randomUUID();
		sessions.set(sid, user);
		return `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`;
	}

	async function handle(request, response) {
		const url = new URL(request.url ?? "/", "http://localhost");
		const { sid } = cookies(request);
		const page = pages[url.pathname === "/index.html" ? "/" : url.pathname];
		if (page) {
			// Coming in through the company portal: a new browser is signed in as Alice.
			const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
			if (!sid || !sessions.has(sid)) headers["set-cookie"] = newSession("alice");
			response.writeHead(200, headers);
			return response.end(page);
		}
		if (bundles[url.pathname]) {
			response.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
			return response.end(bundles[url.pathname]);
		}
		if (url.pathname.startsWith("/api/")) return api(request, response, url, sid);
		if (request.method === "POST" && url.pathname === "/auth/login") {
			const { user } = await body(request);
			if (!users[user]) return send(response, 400, { message: "Unknown user" });
			const cookie = newSession(user);
			requests.push({ path: "/auth/login", query: "", user, status: 200 });
			return send(response, 200, { user }, { "set-cookie": cookie });
		}
		if (request.method === "POST" && url.pathname === "/auth/renew") {
			// The in-place re-authentication: the portal still has a session, for whoever signed in there last.
			await new Promise((resolve) => setTimeout(resolve, renewDelayMs));
			const user = sessions.get(sid);
			requests.push({ path: "/auth/renew", query: "", user: user ?? null, status: user ? 200 : 401 });
			return send(response, user ? 200 : 401, { user: user ?? null });
		}
		// What happens outside the app, for the tests and the demo: the portal, the server's own failures.
		if (request.method === "POST" && url.pathname === "/test/switch") {
			const { to } = await body(request);
			sessions.set(sid, to);
			return send(response, 200, { user: to });
		}
		if (request.method === "POST" && url.pathname === "/test/kill") {
			sessions.delete(sid);
			return send(response, 200, {});
		}
		if (request.method === "POST" && url.pathname === "/test/fail") {
			const { path, status = 500, message = "Internal error", times = 1 } = await body(request);
			faults.set(path, { status, message, left: times });
			return send(response, 200, {});
		}
		if (request.method === "POST" && url.pathname === "/test/reset") {
			// The side-by-side page, before each scenario: Alice again, nothing failing.
			faults.clear();
			return send(response, 200, {}, { "set-cookie": newSession("alice") });
		}
		if (url.pathname === "/test/requests") return send(response, 200, requests);
		response.writeHead(404, { "content-type": "text/plain" });
		response.end("not found");
	}

	const server = createServer((request, response) => {
		handle(request, response).catch((error) => {
			response.writeHead(500, { "content-type": "text/plain" });
			response.end(String(error));
		});
	});
	const listening = await new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, host, () => resolve(server.address().port));
	});
	return {
		url: `http://${host}:${listening}/`,
		/** Forgets the faults and the request log (sessions belong to browser contexts, which tests make fresh). */
		reset() {
			faults.clear();
			requests = [];
		},
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
	const { url } = await startExampleServer();
	console.log(`React Query example: ${url}?mode=bound and ${url}?mode=naive; both side by side: ${url}compare`);
}
