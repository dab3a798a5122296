import { mkdir } from "node:fs/promises";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { startDemoServer } from "../../../demo/serve.mjs";
import type { DemoServer } from "../../../demo/serve.mjs";
import { launchPlaywrightChromium } from "./driver.js";

/** What `window.demo.state()` returns. */
export type DemoState = {
	view: "loading" | "workspace" | "signedOut";
	user: string | null;
	documents: number;
	session: { status: string; identity?: string; reason?: string };
	pageLoads: number;
	reloads: number;
	toastsTotal: number;
	toastsThisPage: number;
	toastsOnScreen: number;
};

/** The mock backend's counters as the demo persists them in localStorage. */
export type PersistedCounters = {
	refreshCalls: number;
	refreshSuccesses: number;
	reuseDetections: number;
	maxConcurrentRefreshes: number;
	requests: Record<string, Record<string, number>>;
};

/** A page of the demo, with its loads counted by the browser itself rather than by the page. */
export type DemoPage = { page: Page; loads(): number };

/**
 * One demo server and one Chromium per test file; a fresh context (storage, Service Worker, cookies) per test.
 * The demo runs the rollup output (dist/): `npm run build` first.
 */
export function useDemoBrowser() {
	let server: DemoServer;
	let browser: Browser;
	let context: BrowserContext | undefined;

	beforeAll(async () => {
		server = await startDemoServer({ port: 0 });
		browser = await launchPlaywrightChromium();
	});
	beforeEach(async () => {
		context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	});
	afterEach(async () => {
		// Bounded: a context whose pages are mid-navigation has been seen to hang on close; afterAll closes the browser anyway.
		await Promise.race([context?.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
		context = undefined;
	});
	afterAll(async () => {
		await browser?.close();
		await server?.close();
	});

	return {
		get url() {
			return server.url;
		},
		/** The demo server itself: its auth proxy's IdP (`idpUrl`, `idpStats()`) runs on a second port. */
		get server(): DemoServer {
			return server;
		},
		get context(): BrowserContext {
			if (!context) throw new Error("No browser context outside a test");
			return context;
		},
		/** Opens the demo in a new tab of this test's context and waits until it has booted. */
		async open(query = ""): Promise<DemoPage> {
			const page = await this.context.newPage();
			return watch(page, () => page.goto(`${server.url}${query}`));
		},
		/** Opens the side-by-side page (its two frames on two more origins) and waits until both frames have booted. */
		async openSideBySide(query = ""): Promise<Page> {
			const page = await this.context.newPage();
			page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
			await page.goto(`${server.sideBySideUrl}${query}`);
			await ready(page);
			return page;
		},
	};
}

/** Counts the page's loads from now on, runs `navigate`, and waits for the demo to boot. */
export async function watch(page: Page, navigate: () => Promise<unknown>): Promise<DemoPage> {
	let loads = 0;
	page.on("load", () => loads++);
	page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
	await navigate();
	await ready(page);
	return { page, loads: () => loads };
}

/** An app API call as the page sent it, with the load (of `tab.loads()`) it was sent from. */
export type Sent = { load: number; method: string; path: string };

/**
 * The page's API calls from now on, as it sent them: not the portal's and the IdP's sign-in endpoints, and not where a
 * request was redirected to (with a Service Worker answering, Chromium reports a follow-up request for an opaque
 * redirect that never reached the server; `demo.server.hits()` counts what did).
 */
export function recordRequests(tab: DemoPage): Sent[] {
	const sent: Sent[] = [];
	tab.page.on("request", (request: Request) => {
		const { pathname } = new URL(request.url());
		if (request.redirectedFrom() !== null || !pathname.startsWith("/api/") || /^\/api\/auth\.(portal|sso|login)$/.test(pathname)) return;
		sent.push({ load: tab.loads(), method: request.method(), path: pathname });
	});
	return sent;
}

/** Waits for the current document's boot (after a reload, the new document's). */
export async function ready(page: Page, timeout = 15_000): Promise<void> {
	await page.waitForFunction(() => (window as unknown as { demo?: { state?: unknown } }).demo?.state !== undefined, null, { timeout });
	await page.evaluate(() => (window as unknown as { demo: { ready: Promise<void> } }).demo.ready);
}

export function demoState(page: Page): Promise<DemoState> {
	return page.evaluate(() => (window as unknown as { demo: { state(): DemoState } }).demo.state());
}

/**
 * Read straight from localStorage: the mock's own persisted state, one key per tab. Each key holds every
 * counter slot its tab knew of, so a slot's value is its largest anywhere, and the totals are sums over slots.
 */
export async function persistedCounters(page: Page): Promise<PersistedCounters> {
	return page.evaluate(() => {
		type Slot = Omit<PersistedCounters, "requests"> & { requests: Record<string, Record<string, number>> };
		const states: { epoch: number; counters: Record<string, Slot> }[] = [];
		for (let i = 0; i < localStorage.length; i++) {
			const key = localStorage.key(i);
			if (key?.startsWith("demo:backend:")) states.push(JSON.parse(localStorage.getItem(key) ?? "null"));
		}
		if (states.length === 0) throw new Error("The demo has not persisted its backend yet");
		const epoch = Math.max(...states.map((state) => state.epoch));
		const slots = new Map<string, Slot>();
		for (const state of states.filter((candidate) => candidate.epoch === epoch)) {
			for (const [id, slot] of Object.entries(state.counters)) {
				const known = slots.get(id);
				if (!known || slot.refreshCalls + Object.values(slot.requests).flatMap(Object.values).reduce((a, b) => a + b, 0) >= known.refreshCalls + Object.values(known.requests).flatMap(Object.values).reduce((a, b) => a + b, 0)) {
					slots.set(id, slot);
				}
			}
		}
		const total: PersistedCounters = { refreshCalls: 0, refreshSuccesses: 0, reuseDetections: 0, maxConcurrentRefreshes: 0, requests: {} };
		for (const slot of slots.values()) {
			total.refreshCalls += slot.refreshCalls;
			total.refreshSuccesses += slot.refreshSuccesses;
			total.reuseDetections += slot.reuseDetections;
			total.maxConcurrentRefreshes = Math.max(total.maxConcurrentRefreshes, slot.maxConcurrentRefreshes);
			for (const [route, byStatus] of Object.entries(slot.requests)) {
				const sum = (total.requests[route] ??= {});
				for (const [status, n] of Object.entries(byStatus)) sum[status] = (sum[status] ?? 0) + n;
			}
		}
		return total;
	});
}

export function count(counters: PersistedCounters, route: string, status: number): number {
	return counters.requests[route]?.[String(status)] ?? 0;
}

/** Polls `check` until it returns true; fails with `message` after `timeout`. */
export async function until(check: () => Promise<boolean> | boolean, message: string, timeout = 15_000): Promise<void> {
	const deadline = Date.now() + timeout;
	for (;;) {
		try {
			if (await check()) return;
		} catch {
			// A page in the middle of a reload cannot be evaluated; try again.
		}
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms: ${message}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/**
 * Waits for the first reload past `loads`, or the first error toast, whichever comes first, and returns the toasts
 * shown so far. A client that lets a dead session through toasts long before it would reload: this fails fast.
 */
export async function toastsBeforeReload(demo: DemoPage, loads: number, timeout = 12_000): Promise<number> {
	let toasts = 0;
	// Read from sessionStorage, where the demo counts them: the page may be between two loads, and reload again.
	const read = () => demo.page.evaluate(() => (JSON.parse(sessionStorage.getItem("demo:counters") ?? "{}") as { toastsTotal?: number }).toastsTotal ?? 0);
	await until(async () => demo.loads() > loads || (await read()) > 0, "a reload or an error toast", timeout);
	await until(async () => {
		toasts = await read();
		return true;
	}, "the toast count");
	return toasts;
}

/** Waits until the page has been loaded `loads` times and has booted in the `view` it should end in. */
export async function settledIn(demo: DemoPage, view: DemoState["view"], loads: number, timeout = 20_000): Promise<DemoState> {
	await until(async () => demo.loads() >= loads && (await demoState(demo.page)).view === view, `${loads} loads ending in "${view}"`, timeout);
	await ready(demo.page);
	return demoState(demo.page);
}

/** What the demo's faults in front of the backend did (`window.demo.outside()`). */
export type OutsideCounters = { staleRedirects: number; proxyRedirects: number; proxyExpired: boolean };

export function outsideCounters(page: Page): Promise<OutsideCounters> {
	return page.evaluate(() => (window as unknown as { demo: { outside(): OutsideCounters } }).demo.outside());
}

/** The event log's lines, oldest first, across every load of the tab. */
export function logLines(page: Page): Promise<string[]> {
	return page.evaluate(() => (window as unknown as { demo: { log(): { text: string }[] } }).demo.log().map((entry) => entry.text));
}

export async function screenshot(page: Page, name: string): Promise<void> {
	await mkdir("test-results/screenshots", { recursive: true });
	await page.screenshot({ path: `test-results/screenshots/${name}.png` });
}

/** One frame of the side-by-side page, as the page counts it (`window.demo.state().frames.naive`). */
export type SideBySideFrame = {
	toasts: number;
	/** Page loads after the run's fresh start. */
	reloads: number;
	refreshCalls: number;
	unauthorized: number;
	view: DemoState["view"];
	user: string | null;
	/** The naive frame's reload loop was stopped by the page's cap. */
	capped: boolean;
	stepUps: number;
	exported: boolean;
	session: string;
	navigating: boolean;
};

/** What the side-by-side page's `window.demo.state()` returns. */
export type SideBySideState = {
	mode: "bearer" | "cookie";
	phase: "loading" | "idle" | "resetting" | "running" | "done";
	scenario: string | null;
	done: boolean;
	timedOut: boolean;
	verdict: string | null;
	frames: { naive: SideBySideFrame; tokenflight: SideBySideFrame };
};

export function sideBySideState(page: Page): Promise<SideBySideState> {
	return page.evaluate(() => (window as unknown as { demo: { state(): SideBySideState } }).demo.state());
}

/** Waits until the side-by-side page says the run is over (both frames booted, idle, and quiet for a while). */
export async function sideBySideDone(page: Page, timeout = 60_000): Promise<SideBySideState> {
	await until(async () => (await sideBySideState(page)).done, "the side-by-side run to settle", timeout);
	return sideBySideState(page);
}
