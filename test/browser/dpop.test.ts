import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TokenSet } from "../../src/index.js";
import { startDPoPServer, type DPoPServer } from "../fixtures/dpop/dpopServer.js";
import { launchPlaywrightChromium } from "../helpers/browser/driver.js";
import { bundleTestPage, serveTestPage } from "../helpers/browser/testPage.js";

/**
 * DPoP in real Chromium: WebCrypto keys in IndexedDB, shared by the tabs of one origin, and the cross-tab refresh.
 * Not the demo: its own page (test/browser/dpop/page.ts, bundled here with the rollup output) on the same origin as
 * a server that checks every proof (test/fixtures/dpop/dpopServer.ts). `npm run build` first.
 */

type PageApi = {
	reauthentications: number;
	thumbprint(): Promise<string>;
	rotateKey(): Promise<string>;
	signIn(tokens: TokenSet): Promise<void>;
	burst(count: number): Promise<{ ok: number; failed: string[] }>;
	status(): string;
	generatedKeys(): number;
	storedKey(): Promise<{ type: string; extractable: boolean; algorithm: string; exported: string }>;
};

let server: DPoPServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
	const script = await bundleTestPage("dpop", ["dpop"]);
	server = await startDPoPServer({ latencyMs: 5, serve: serveTestPage(script, "dpop") });
	browser = await launchPlaywrightChromium();
});
afterAll(async () => {
	await browser?.close();
	await server?.close();
});
beforeEach(async () => {
	server.reset();
	context = await browser.newContext();
});
afterEach(async () => {
	await Promise.race([context?.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
});

async function openTab(): Promise<Page> {
	const page = await context.newPage();
	page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
	await page.goto(`${server.origin}/`);
	await page.waitForFunction(() => (window as unknown as { dpopTest?: unknown }).dpopTest !== undefined);
	return page;
}

function call<T>(page: Page, fn: (api: PageApi, arg: unknown) => T | Promise<T>, arg?: unknown): Promise<T> {
	return page.evaluate(({ source, arg: value }) => {
		const api = (window as unknown as { dpopTest: PageApi }).dpopTest;
		// eslint-disable-next-line no-new-func
		return (new Function("api", "arg", `return (${source})(api, arg);`) as (api: PageApi, arg: unknown) => T)(api, value);
	}, { source: fn.toString(), arg });
}

const apiHits = () => server.hits.filter((hit) => hit.path.startsWith("/api/"));
const tokenHits = () => server.hits.filter((hit) => hit.path === "/token");

describe("DPoP in Chromium", () => {
	it("should give two tabs one key, created once even when both ask at the same moment, and kept across a reload", async () => {
		const [first, second] = await Promise.all([openTab(), openTab()]);
		// Neither tab has made a key yet: both create one at once, and IndexedDB lets one of them win.
		const [a, b] = await Promise.all([call(first, (api) => api.thumbprint()), call(second, (api) => api.thumbprint())]);
		expect(a).toMatch(/^[\w-]{43}$/);
		expect(b).toBe(a);
		// Whether both tabs generated a key (and one was dropped) depends on timing; either way they agree.
		const generated = (await call(first, (api) => api.generatedKeys())) + (await call(second, (api) => api.generatedKeys()));
		expect(generated).toBeGreaterThanOrEqual(1);
		expect(generated).toBeLessThanOrEqual(2);
		expect(await call(first, (api) => api.storedKey())).toEqual({ type: "private", extractable: false, algorithm: "P-256", exported: "InvalidAccessError" });

		await first.reload();
		await first.waitForFunction(() => (window as unknown as { dpopTest?: unknown }).dpopTest !== undefined);
		expect(await call(first, (api) => api.thumbprint())).toBe(a);
		const third = await openTab();
		expect(await call(third, (api) => api.thumbprint())).toBe(a);
	});

	it("should refresh once for two tabs whose token expired, with proofs the server accepts from both", async () => {
		// One tab signs in; the other is opened afterwards and finds the session in IndexedDB, as tabs opened later do
		// (a tab already open when another signs in re-authenticates: the core cannot know whose session it shows).
		const first = await openTab();
		const jkt = await call(first, (api) => api.thumbprint());
		const tokens = server.signIn(jkt);
		await call(first, (api, value) => api.signIn(value as TokenSet), tokens);
		const second = await openTab();
		expect(await call(second, (api) => api.thumbprint())).toBe(jkt);
		// Both tabs learn the nonce (one challenge each, retried) and use the stored tokens.
		expect(await Promise.all([call(first, (api) => api.burst(5)), call(second, (api) => api.burst(5))])).toEqual([
			{ ok: 5, failed: [] },
			{ ok: 5, failed: [] },
		]);
		server.expire(tokens.accessToken);
		server.reset();

		const results = await Promise.all([call(first, (api) => api.burst(25)), call(second, (api) => api.burst(25))]);

		expect(results).toEqual([
			{ ok: 25, failed: [] },
			{ ok: 25, failed: [] },
		]);
		expect(tokenHits().map(({ status, error }) => [status, error])).toEqual([[200, undefined]]);
		expect(apiHits().filter((hit) => hit.error === "invalid_dpop_proof")).toEqual([]);
		expect(apiHits().filter((hit) => hit.status === 200)).toHaveLength(50);
		expect(await Promise.all([call(first, (api) => api.reauthentications), call(second, (api) => api.reauthentications)])).toEqual([0, 0]);
	});

	it("should move every tab to the new key when one tab rotates it", async () => {
		const [first, second] = await Promise.all([openTab(), openTab()]);
		const before = await call(first, (api) => api.thumbprint());
		expect(await call(second, (api) => api.thumbprint())).toBe(before);

		const after = await call(first, (api) => api.rotateKey());

		expect(after).not.toBe(before);
		const deadline = Date.now() + 5_000;
		while ((await call(second, (api) => api.thumbprint())) !== after && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
		expect(await call(second, (api) => api.thumbprint())).toBe(after);
	});
});
