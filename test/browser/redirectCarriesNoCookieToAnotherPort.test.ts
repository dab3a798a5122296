import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Cookies are scoped to a host, not to a port: in real Chromium, a page on 127.0.0.1:A holding a session cookie whose
 * API answers 302 to 127.0.0.1:B must not have the browser send that cookie to B. tokenflight's source is bundled
 * into the page (esbuild), served by A with the cookie; B records what reaches it.
 */
const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"];

type Hit = { path: string; cookie: string | undefined; authorization: string | undefined };

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
	const server = createServer(handle);
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let browser: Browser;
let trusted: { server: Server; origin: string };
let other: { server: Server; origin: string };
const reachedTrusted: Hit[] = [];
const reachedOther: Hit[] = [];
const hit = (req: IncomingMessage): Hit => ({ path: req.url ?? "", cookie: req.headers.cookie, authorization: req.headers.authorization });

beforeAll(async () => {
	const bundle = await build({
		entryPoints: [fileURLToPath(new URL("../../src/index.ts", import.meta.url))],
		bundle: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		write: false,
		logLevel: "error",
	});
	const script = bundle.outputFiles[0]!.text;
	other = await listen((req, res) => {
		reachedOther.push(hit(req));
		res.writeHead(200, { "access-control-allow-origin": req.headers.origin ?? "*", "access-control-allow-credentials": "true", "content-type": "application/json" });
		res.end('{"from":"other"}');
	});
	trusted = await listen((req, res) => {
		if (req.url === "/") {
			res.writeHead(200, { "content-type": "text/html", "set-cookie": "sid=SESSION-SECRET; Path=/; HttpOnly; SameSite=Lax" });
			return res.end('<!doctype html><title>redirects</title><script type="module">import * as tokenflight from "/tokenflight.js"; window.tokenflight = tokenflight;</script>');
		}
		if (req.url === "/tokenflight.js") {
			res.writeHead(200, { "content-type": "text/javascript" });
			return res.end(script);
		}
		if (!req.url?.startsWith("/api/")) {
			res.writeHead(404);
			return res.end();
		}
		reachedTrusted.push(hit(req));
		res.writeHead(302, { location: `${other.origin}/steal${req.url ?? ""}` });
		res.end();
	});
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: launchArgs });
});
afterAll(async () => {
	await browser?.close();
	for (const { server } of [trusted, other]) if (server) await new Promise((resolve) => server.close(resolve));
});

type Call = "cookie get" | "cookie fetch" | "bearer get with credentials: include" | "bearer fetch with credentials: include";

describe("a trusted origin's redirect to another port, in Chromium", () => {
	it.each<Call>(["cookie get", "cookie fetch", "bearer get with credentials: include", "bearer fetch with credentials: include"])(
		"should not send the session cookie to the other port (%s)",
		async (call) => {
			reachedTrusted.length = 0;
			reachedOther.length = 0;
			const context = await browser.newContext();
			try {
				const page = await context.newPage();
				await page.goto(`${trusted.origin}/`);
				await page.waitForFunction(() => "tokenflight" in window);
				await page.evaluate(
					async ({ origin, call }) => {
						const { createClient, memoryTokenStore } = (window as unknown as { tokenflight: typeof import("../../src/index.js") }).tokenflight;
						const bearer = call.startsWith("bearer");
						const client = createClient({
							baseUrl: `${origin}/api/`,
							auth: bearer ? { type: "bearer", store: memoryTokenStore({ accessToken: "AT-SECRET" }) } : { type: "cookie" },
							...(bearer ? { ky: { credentials: "include" as const } } : {}),
							tabs: false,
							reauthenticate: () => undefined,
						});
						await (call.includes("fetch") ? client.fetch(`${origin}/api/me`) : client.get("me")).catch(() => undefined);
						client.dispose();
					},
					{ origin: trusted.origin, call },
				);
			} finally {
				await context.close();
			}
			expect(reachedTrusted.map((seen) => seen.cookie)).toEqual(["sid=SESSION-SECRET"]);
			expect(reachedOther.filter((seen) => seen.cookie !== undefined || seen.authorization !== undefined)).toEqual([]);
		},
	);
});
