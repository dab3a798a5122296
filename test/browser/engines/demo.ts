/**
 * The demo (demo/serve.mjs) in any engine, over the driver in ../helpers/driver.ts. Per `describe.each(engines())`
 * block: one demo server and one browser; per test: a fresh context (storage, Service Worker, cookies).
 *
 *   describe.each(engines())("%s", (engine) => {
 *     const demo = useDemo(engine);
 *     it("…", async () => {
 *       const page = await demo.open();                // booted: window.demo.ready has resolved
 *       await page.click({ role: "button", name: "Burst 20 parallel requests" });
 *       expect(await demoState(page)).toMatchObject({ reloads: 0 });
 *     });
 *   });
 *
 * The demo runs the rollup output (dist/): `npm run build` first.
 *
 * Porting a Chromium-only test (../helpers/demoBrowser.ts, Playwright) onto this:
 *   useDemoBrowser()                                  → describe.each(engines())("… (%s)", (engine) => { const demo = useDemo(engine); … })
 *   const tab = await demo.open(q); tab.page, tab.loads() → const page = await demo.open(q); page, page.loads()
 *   page.getByRole("button", { name, exact }).click() → page.click({ role: "button", name, exact })
 *   page.getByRole("heading", { name }).waitFor(o)    → page.waitFor({ role: "heading", name }, o)
 *   page.locator("#user-name").textContent()          → page.text({ css: "#user-name" })
 *   page.waitForTimeout(ms)                           → sleep(ms)
 *   demo.context.waitForEvent("page") + click         → demo.context.waitForPage(() => page.click(…))
 *   demo.context.pages() / page.close()               → the same
 *   demo.context.cookies()                            → page.cookies()
 *   demoState, persistedCounters, count, logLines, outsideCounters, settledIn, toastsBeforeReload, until → from here
 *   page.on("request") / page.waitForRequest           → no equivalent (classic WebDriver has no network events):
 *                                                        read what the demo's mock recorded instead
 */
import type { Page as PlaywrightPage } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startDemoServer } from "../../../demo/serve.mjs";
import type { DemoServer } from "../../../demo/serve.mjs";
import * as chromiumOnly from "../../helpers/browser/demoBrowser.js";
import type { DemoState, OutsideCounters, PersistedCounters } from "../../helpers/browser/demoBrowser.js";
import type { Browser, Context, Engine, Page } from "../../helpers/browser/driver.js";
import { useEngineBlock } from "../../helpers/browser/engineBlock.js";

export type { DemoState, OutsideCounters, PersistedCounters } from "../../helpers/browser/demoBrowser.js";
export { count } from "../../helpers/browser/demoBrowser.js";
export { sleep, until } from "../../helpers/browser/driver.js";

export function useDemo(engine: Engine) {
	let started = 0;
	// Registered before the block's own hooks, so its afterAll runs after they have closed the browser and the server.
	beforeAll(() => void (started = performance.now()));
	afterAll(() => {
		// Wall time per engine, launch to close: the suite's time budget is counted per engine.
		console.log(`[engines] ${engine}: ${((performance.now() - started) / 1000).toFixed(1)} s for this block`);
	});
	const block = useEngineBlock(engine, () => startDemoServer({ port: 0 }));

	return {
		engine,
		get url() {
			return block.server.url;
		},
		get server(): DemoServer {
			return block.server;
		},
		/** This block's browser: `browser.newContext()` for a second, separate profile. */
		get browser(): Browser {
			return block.browser;
		},
		get context(): Context {
			return block.context;
		},
		/** Opens the demo (with `query`) in a new page of this test's context and waits until it has booted. */
		async open(query = ""): Promise<Page> {
			const page = await this.context.newPage();
			await page.goto(`${block.server.url}${query}`);
			await ready(page);
			return page;
		},
	};
}

type DemoWindow = { demo?: { state?: unknown; ready: Promise<void> } };

/** Waits for the current document's boot (after a reload, the new document's). */
export async function ready(page: Page, timeout = 15_000): Promise<void> {
	await page.waitForFunction(() => (window as unknown as DemoWindow).demo?.state !== undefined, undefined, { timeout, message: `${page.engine}: the demo to boot` });
	await page.evaluate(() => (window as unknown as { demo: { ready: Promise<void> } }).demo.ready);
}

/*
 * The readers below are demoBrowser.ts's: they only call `page.evaluate(fn, arg?)` and `page.waitForFunction(fn, arg,
 * { timeout })`, which the driver's Page offers with the same shapes, so the demo's storage format and its waits have
 * one implementation. The cast is that and nothing more.
 */
const asEvaluator = (page: Page) => page as unknown as PlaywrightPage;
const asDemoPage = (page: Page): chromiumOnly.DemoPage => ({ page: asEvaluator(page), loads: () => page.loads() });

export function demoState(page: Page): Promise<DemoState> {
	return chromiumOnly.demoState(asEvaluator(page));
}

export function persistedCounters(page: Page): Promise<PersistedCounters> {
	return chromiumOnly.persistedCounters(asEvaluator(page));
}

export function logLines(page: Page): Promise<string[]> {
	return chromiumOnly.logLines(asEvaluator(page));
}

export function outsideCounters(page: Page): Promise<OutsideCounters> {
	return chromiumOnly.outsideCounters(asEvaluator(page));
}

/** Waits until the page has been loaded `loads` times and has booted in `view`; returns its state. */
export function settledIn(page: Page, view: DemoState["view"], loads: number, timeout?: number): Promise<DemoState> {
	return chromiumOnly.settledIn(asDemoPage(page), view, loads, timeout);
}

/** Waits for the first reload past `loads`, or the first error toast, and returns the toasts shown so far. */
export function toastsBeforeReload(page: Page, loads: number, timeout?: number): Promise<number> {
	return chromiumOnly.toastsBeforeReload(asDemoPage(page), loads, timeout);
}

export function screenshot(page: Page, name: string): Promise<void> {
	return page.screenshot(`test-results/screenshots/${name}-${page.engine}.png`);
}

/** A request to the demo's /api/ as it left the page (demo/src/requestLog.ts): what `page.on("request")` saw in Playwright. */
export type LoggedRequest = { method: string; path: string; authorization: string | null; csrf: string | null };

/** Every request to /api/ the demo has logged in this context (across reloads and tabs; the last 500). */
export function requestLog(page: Page): Promise<LoggedRequest[]> {
	return page.evaluate(() => JSON.parse(localStorage.getItem("demo:request-log") ?? "[]") as LoggedRequest[]);
}

/**
 * Whether to run a slow repetition (a test that repeats a scenario to catch a flake) in this engine: in Chromium
 * always, in Firefox and WebKit only with BROWSER_SLOW=1, to keep the suite's time down.
 */
export function runSlow(engine: Engine): boolean {
	return engine === "chromium" || process.env.BROWSER_SLOW === "1";
}
