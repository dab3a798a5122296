import { createServer } from "node:http";
import type { Server } from "node:http";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "../../helpers/browser/driver.js";
import type { Engine, Page } from "../../helpers/browser/driver.js";
import { demoState, ready, screenshot, until, useDemo } from "./demo.js";

/**
 * A sandboxed iframe (`sandbox="allow-scripts"`, no `allow-same-origin`) embedded in the demo: an opaque origin,
 * where touching localStorage or sessionStorage throws. tokenflight runs there with its defaults: the reload guard
 * counts in sessionStorage, else in `history.state`, and `reauthenticate` is `location.reload()`. Its backend is a
 * fetch in the frame that rejects every session (401 on the API, invalid_grant on refresh), so every load ends in a
 * dead session, and the guard must stop the reloads after `maxAttempts` (2), as it does with storage.
 *
 * The frame is a real URL (a server of this file's, on loopback, another port than the demo), not a srcdoc: Firefox
 * does not reload a sandboxed srcdoc frame at all. It reports to the demo page with postMessage.
 */
let frameServer: Server;
let frameOrigin = "";

beforeAll(async () => {
	// tokenflight's rollup output, what `npm publish` ships, as one classic script that defines `tokenflight`.
	const bundle = await build({ entryPoints: ["dist/index.js"], bundle: true, format: "iife", globalName: "tokenflight", platform: "browser", target: "es2022", minify: true, write: false, logLevel: "error" });
	const script = bundle.outputFiles[0]!.text;
	frameServer = createServer((request, response) => {
		const url = new URL(request.url ?? "/", "http://localhost");
		if (url.pathname === "/tokenflight.js") {
			response.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(script);
		} else if (url.pathname === "/frame.html") {
			const variant = { locksOff: url.searchParams.get("locks") === "off" };
			response
				.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
				.end(`<!doctype html><meta charset="utf-8"><body>sandboxed frame<script src="/tokenflight.js"></script><script>(${frameMain.toString()})(${JSON.stringify(variant)})</script></body>`);
		} else {
			response.writeHead(404).end();
		}
	});
	await new Promise<void>((resolve) => frameServer.listen(0, "127.0.0.1", resolve));
	const address = frameServer.address();
	frameOrigin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
	frameServer?.closeAllConnections();
	await new Promise((resolve) => frameServer?.close(resolve));
});

/** Runs in the sandboxed frame, serialized: it may use nothing from this file. */
function frameMain({ locksOff }: { locksOff: boolean }): void {
	const post = (message: Record<string, unknown>) => parent.postMessage({ source: "sandbox-frame", ...message }, "*");
	const probe = (touch: () => unknown) => {
		try {
			touch();
			return "ok";
		} catch (error) {
			return error instanceof Error ? error.name : String(error);
		}
	};
	const describeError = (error: unknown): string => {
		if (!(error instanceof Error)) return String(error);
		const cause = (error as { cause?: unknown }).cause;
		return `${error.name}: ${error.message}${cause === undefined ? "" : ` (cause: ${describeError(cause)})`}`;
	};
	const snapshot = () => JSON.parse(JSON.stringify(history.state ?? null)) as unknown;
	const storage = { localStorage: probe(() => localStorage.length), sessionStorage: probe(() => sessionStorage.length) };
	const api = "https://api.sandbox.test/";
	const backend: typeof fetch = async (input, init) => {
		const url = new URL(new Request(input, init).url);
		if (url.pathname === "/oauth/token") {
			return new Response(JSON.stringify({ error: "invalid_grant", error_description: "Token is not active" }), { status: 400, headers: { "content-type": "application/json" } });
		}
		return new Response(JSON.stringify({ error: "invalid_token" }), { status: 401, headers: { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' } });
	};
	try {
		type Tokenflight = typeof import("../../../src/index.js");
		const { createClient, memoryTokenStore, oauthRefresh } = (window as unknown as { tokenflight: Tokenflight }).tokenflight;
		const client = createClient({
			baseUrl: api,
			auth: {
				type: "bearer",
				store: memoryTokenStore({ accessToken: "dead-access", refreshToken: "dead-refresh", expiresAt: Date.now() + 3_600_000 }),
				refresh: oauthRefresh({ tokenEndpoint: `${api}oauth/token`, clientId: "sandbox", fetch: backend }),
			},
			ky: { fetch: backend, retry: 0 },
			...(locksOff ? { tabs: { locks: null } } : {}),
			onSignedOut: (reason) => post({ type: "signedOut", reason }),
		});
		client.session.subscribe((session) => post({ type: "status", status: session.status, reason: session.reason ?? null }));
		post({ type: "boot", storage, historyState: snapshot() });
		client.get("documents").then(
			() => post({ type: "result", outcome: "resolved" }),
			(error: unknown) => post({ type: "result", outcome: describeError(error), historyState: snapshot() }),
		);
	} catch (error) {
		post({ type: "crash", error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) });
	}
}

type FrameMessage = { type: string; at: number; storage?: Record<string, string>; historyState?: Record<string, unknown> | null; status?: string; reason?: string | null; outcome?: string; error?: string };

function frameMessages(page: Page): Promise<FrameMessage[]> {
	return page.evaluate(() => (window as unknown as { __sandbox?: FrameMessage[] }).__sandbox ?? []);
}

/**
 * Where a variant still fails because of tokenflight itself (src/), measured in each engine; these run as `it.fails`,
 * so the day one is fixed its test fails, and this list shrinks.
 *  - locks on, every engine: in an opaque origin `navigator.locks.request` throws SecurityError ("Access to the Locks
 *    API is denied in this context" / "request() is not allowed in this context" / "Context's origin is opaque").
 *    The cross-tab refresh lock turns that into RefreshError("Token refresh failed"): no refresh is tried, the
 *    request rejects, the session never reaches the guard (nor recovers).
 *  - locks off, Chromium: a sandboxed frame's `history.state` does not survive its `location.reload()` (it does in
 *    Firefox and WebKit; `window.name` survives in all three). The guard's only layer accepts every write and forgets
 *    it on reload: the frame reloads forever.
 */
const knownBroken: Record<"locksOn" | "locksOff", readonly Engine[]> = { locksOn: [], locksOff: [] };

describe.each(engines())("engine smoke (%s)", (engine) => {
	const demo = useDemo(engine);

	it("boots the demo with msw's Service Worker answering the API, and counts real reloads", async () => {
		const page = await demo.open();
		expect(page.loads()).toBe(1);
		const worker = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
		expect(worker).toBe(`${demo.url}mockServiceWorker.js`);
		// The boot's portal and SSO calls were answered in the page: none reached the server.
		expect({ portal: demo.server.hits("/api/auth.portal"), sso: demo.server.hits("/api/auth.sso") }).toEqual({ portal: 0, sso: 0 });
		expect(await demoState(page)).toMatchObject({ view: "workspace", user: "alice", pageLoads: 1, session: { status: "authenticated" } });
		expect(await page.text({ css: "#user-name" })).toBe("Alice Chen");

		// A reload the page makes itself, as tokenflight's re-authentication does: the driver sees the new document.
		const pageHits = demo.server.hits("/");
		await page.evaluate(() => void setTimeout(() => location.reload(), 0));
		await page.waitForLoads(2);
		await ready(page);
		expect(page.loads()).toBe(2);
		expect(demo.server.hits("/")).toBe(pageHits + 1);
		expect(await demoState(page)).toMatchObject({ view: "workspace", pageLoads: 2, session: { status: "authenticated" } });
		await page.waitFor({ role: "heading", name: "Welcome back, Alice" });
		await screenshot(page, "smoke");
	});

	it("opens the demo's second tab as a page of the same context, sharing its storage; another context shares nothing", async () => {
		const first = await demo.open();
		await first.evaluate(() => localStorage.setItem("engine-smoke", "context one"));
		const second = await demo.context.waitForPage(() => first.click({ role: "button", name: "Open second tab" }));
		await ready(second);
		expect(second.loads()).toBe(1);
		expect(demo.context.pages()).toHaveLength(2);
		expect(await demoState(second)).toMatchObject({ view: "workspace", user: "alice", pageLoads: 1 });
		expect(await second.evaluate(() => localStorage.getItem("engine-smoke"))).toBe("context one");

		const other = await demo.browser.newContext();
		try {
			const elsewhere = await other.newPage();
			await elsewhere.goto(demo.url);
			expect(await elsewhere.evaluate(() => localStorage.getItem("engine-smoke"))).toBeNull();
		} finally {
			await other.close();
		}
		await second.close();
		expect(demo.context.pages()).toEqual([first]);
		expect(await demoState(first)).toMatchObject({ view: "workspace", user: "alice" });
	});

	/** Embeds the frame in the booted demo; resolves once it has been quiet for 2 s (a loop never is) or has clearly looped. */
	async function runSandboxedFrame(locks: "on" | "off"): Promise<{ page: Page; messages: FrameMessage[] }> {
		const page = await demo.open();
		await page.evaluate((src) => {
			const messages: unknown[] = [];
			Object.assign(window, { __sandbox: messages });
			addEventListener("message", (event) => {
				if ((event.data as { source?: string } | null)?.source === "sandbox-frame") messages.push({ ...(event.data as object), at: Date.now() });
			});
			const frame = document.createElement("iframe");
			frame.id = "sandboxed-frame";
			frame.setAttribute("sandbox", "allow-scripts");
			frame.style.cssText = "position:fixed;left:8px;bottom:8px;width:320px;height:80px;background:#fff;border:2px solid #c33;z-index:99";
			frame.src = src;
			document.body.append(frame);
		}, `${frameOrigin}/frame.html?locks=${locks}`);
		let messages: FrameMessage[] = [];
		await until(
			async () => {
				messages = await frameMessages(page);
				const last = messages.at(-1);
				const looping = messages.filter((message) => message.type === "boot").length > 6;
				return looping || (messages.some((message) => message.type === "result" || message.type === "crash") && last !== undefined && Date.now() - last.at > 2_000);
			},
			"the frame to settle",
			20_000,
		).catch((error: unknown) => {
			throw new Error(`${error instanceof Error ? error.message : String(error)}; the frame said: ${JSON.stringify(messages)}`);
		});
		await screenshot(page, `sandboxed-iframe-locks-${locks}`);
		// A looping frame is stopped here, not left to the context's close.
		await page.evaluate(() => document.getElementById("sandboxed-frame")?.remove());
		return { page, messages };
	}

	async function expectLoopGuardHeld({ page, messages }: { page: Page; messages: FrameMessage[] }): Promise<void> {
		const boots = messages.filter((message) => message.type === "boot");
		expect(messages.filter((message) => message.type === "crash")).toEqual([]);
		// The premise: storage really throws in this engine's sandbox.
		for (const boot of boots) expect(boot.storage).toEqual({ localStorage: "SecurityError", sessionStorage: "SecurityError" });
		// An opaque origin has nothing that keeps a count across a reload in every engine (Chromium drops history.state
		// there), so tokenflight signs out at the first dead session instead of reloading: one boot, no loop. The refresh
		// was tried first (reason "refresh-failed"), also where Web Locks throw SecurityError.
		expect(boots, `boots; the frame said ${JSON.stringify(messages).slice(0, 1500)}`).toHaveLength(1);
		expect(messages.filter((message) => message.type === "status").map((message) => (message as { status?: string }).status)).toContain("refreshing");
		expect(messages.filter((message) => message.type === "signedOut")).toEqual([expect.objectContaining({ reason: "refresh-failed" })]);
		// The page around it never noticed.
		expect(page.loads()).toBe(1);
		expect(await demoState(page)).toMatchObject({ view: "workspace", reloads: 0 });
	}

	(knownBroken.locksOff.includes(engine) ? it.fails : it)(
		"in a sandboxed iframe, where Web Storage throws, a dead session signs out once instead of reloading (cross-tab locks off)",
		async () => {
			await expectLoopGuardHeld(await runSandboxedFrame("off"));
		},
	);

	(knownBroken.locksOn.includes(engine) ? it.fails : it)("the same with tokenflight's defaults (cross-tab Web Locks on)", async () => {
		await expectLoopGuardHeld(await runSandboxedFrame("on"));
	});
});
