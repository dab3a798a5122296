/**
 * One browser driver for the three engines, so each browser test is written once and runs in all of them.
 *
 *   chromium  playwright-core over CDP           /usr/bin/chromium (headless)
 *   firefox   puppeteer-core over WebDriver BiDi  /usr/bin/firefox-esr (headless)
 *   webkit    selenium-webdriver, classic WebDriver: WebKitWebDriver + WebKitGTK's MiniBrowser (--automation), on an
 *             Xvfb display this module starts itself (DISPLAY is never needed, nor xvfb-run)
 *
 * All from Debian; nothing downloads a browser. Usage:
 *
 *   const browser = await launch("webkit");          // or "chromium" | "firefox"; `engines()` lists those to run
 *   const context = await browser.newContext();      // fresh storage, cookies and Service Workers
 *   const page = await context.newPage();            // WebKit: a new WINDOW (scripts in a background tab hang)
 *   await page.goto(url);                            // resolves after the `load` event
 *   await page.evaluate((n) => n * 2, 21);           // 42: fn runs in the page, arg and result are JSON-like
 *   await page.waitForFunction(() => document.title === "x", undefined, { timeout: 5_000 });
 *   await page.click({ role: "button", name: "Burst 20 parallel requests" });
 *   await page.waitFor({ role: "heading", name: "You're signed out" }, { timeout: 20_000 });
 *   await page.text({ css: "#user-name" });          // "Alice Chen"
 *   page.loads();                                    // real document loads of this page so far (goto included)
 *   await page.screenshot("test-results/screenshots/x.png");
 *   const popup = await context.waitForPage(() => page.click({ role: "button", name: "Open second tab" }));
 *   await context.close(); await browser.close();
 *
 * Run: `npm run test:engines` (these tests only) or `npm run test:browser` (all browser tests);
 * `BROWSER_ENGINES=webkit npm run test:engines` picks engines. Each test's screenshots get the engine in their name.
 *
 * For the demo, test/browser/engines/demo.ts wraps this in vitest hooks (`useDemo(engine)`) and says how to port a
 * Playwright test of ../helpers/demoBrowser.ts; test/browser/engines/burst.test.ts is the worked example.
 *
 * Targets (`Target`), resolved in the page by the same code in every engine, so a test that finds an element in
 * one engine finds it in the others:
 *   { role, name?, exact? }  ARIA role (explicit `role=` or the implicit one of button, heading, link, radio, …) and
 *                            accessible name (aria-label, aria-labelledby, an input's value or label, else its text);
 *                            as Playwright's getByRole: `name` matches a case-insensitive substring unless `exact`.
 *                            Only elements that are rendered and not inside aria-hidden.
 *   { css }                  document.querySelectorAll
 *   { text, exact? }         the innermost elements whose text matches (substring, case-insensitive, unless `exact`)
 * `click` and `text` are strict, as Playwright's locators are: exactly one visible match, or they wait and then fail.
 * `click` also waits for the element to be enabled, then clicks it with the engine's own input (CDP, BiDi input
 * actions, WebDriver element click): real events, not `el.click()`.
 *
 * `evaluate(fn, arg)`: `fn` is serialized with `fn.toString()` and run in the page, so it cannot close over anything
 * in the test; pass what it needs as `arg` (one JSON-like value). Promises are awaited. A navigation while it runs
 * rejects it (in every engine), as a page that reloads mid-evaluation does. In WebKit each evaluate starts the
 * function and polls for its result, so evaluations in several windows run at the same time, as in the others.
 *
 * `loads()`: how many documents this page has loaded (about:blank excluded), counted from the engine's `load` events
 * of the top-level document in Chromium and Firefox (not iframes': puppeteer's BiDi page event counts those too, so
 * the driver listens on the top-level browsing context). Classic WebDriver has no events: in WebKit the driver polls `performance.timeOrigin`
 * (new for each document) every ~50 ms, so two loads closer together than that count once. A demo load takes far
 * longer, but a test that needs exact counts of very fast reloads should also read a counter the page or server keeps.
 *
 * Not covered (classic WebDriver cannot): request interception or observation (`page.on("request")`), page errors in
 * WebKit (`errors()` is always empty there). Have the page record what the test needs (a demo hook) instead.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { chromium } from "playwright-core";
import type { ElementHandle, Browser as PwBrowser, BrowserContext as PwContext, Page as PwPage } from "playwright-core";
import puppeteer from "puppeteer-core";
import type { Browser as PpBrowser, ElementHandle as PpElementHandle, Page as PpPage } from "puppeteer-core";
import selenium from "selenium-webdriver";
import type { WebDriver, WebElement } from "selenium-webdriver";

export type Engine = "chromium" | "firefox" | "webkit";
export const allEngines: readonly Engine[] = ["chromium", "firefox", "webkit"];

/** The engines to run: `BROWSER_ENGINES=firefox,webkit` picks some, the default is all three. */
export function engines(): Engine[] {
	const wanted = (process.env.BROWSER_ENGINES ?? "").split(",").map((name) => name.trim()).filter(Boolean);
	if (wanted.length === 0) return [...allEngines];
	for (const name of wanted) if (!allEngines.includes(name as Engine)) throw new Error(`BROWSER_ENGINES: unknown engine "${name}" (${allEngines.join(", ")})`);
	return wanted as Engine[];
}

export type Target = { role: string; name?: string; exact?: boolean } | { css: string } | { text: string; exact?: boolean };

export type WaitOptions = {
	/** @default 15_000 */
	timeout?: number;
	/** `visible` (default): exactly one rendered match; `attached`: at least one match; `hidden`: no rendered match. */
	state?: "visible" | "attached" | "hidden";
};

export type Cookie = { name: string; value: string; httpOnly: boolean; path?: string };

export interface Page {
	readonly engine: Engine;
	/** Navigates and resolves after the new document's `load` event. */
	goto(url: string): Promise<void>;
	/** Reloads and resolves after the new document's `load` event. */
	reload(): Promise<void>;
	url(): Promise<string>;
	evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
	evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
	/**
	 * Polls `fn(arg)` in the page (every 100 ms, from Node, so it survives reloads) until it returns something truthy,
	 * and resolves with that. Errors while the page is between documents count as "not yet".
	 */
	waitForFunction<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A, options?: { timeout?: number; message?: string }): Promise<R>;
	click(target: Target, options?: { timeout?: number }): Promise<void>;
	waitFor(target: Target, options?: WaitOptions): Promise<void>;
	/** How many elements match (rendered or not for css/text; role targets only count rendered ones). */
	count(target: Target): Promise<number>;
	/** The text of the one visible match, waiting for it as `click` does. */
	text(target: Target, options?: { timeout?: number }): Promise<string>;
	/** A PNG of the viewport; the folders are made. */
	screenshot(path: string): Promise<void>;
	/** Documents loaded in this page so far (about:blank excluded); see the top of this file for WebKit. */
	loads(): number;
	/** Resolves once `loads() >= count`. */
	waitForLoads(count: number, options?: { timeout?: number }): Promise<void>;
	/** Every cookie of the page's URL, HttpOnly ones too. */
	cookies(): Promise<Cookie[]>;
	/** Uncaught page errors the engine reported (none in WebKit). */
	errors(): readonly string[];
	close(): Promise<void>;
}

export interface Context {
	readonly engine: Engine;
	/** A new page sharing this context's storage. WebKit: a new window. */
	newPage(): Promise<Page>;
	/** The open pages of this context that the driver knows of (made by `newPage` or `waitForPage`). */
	pages(): Page[];
	/** Runs `action` and resolves with the page it opened (`window.open`, a target=_blank link). */
	waitForPage(action: () => Promise<unknown>, options?: { timeout?: number }): Promise<Page>;
	close(): Promise<void>;
}

export interface Browser {
	readonly engine: Engine;
	/** Fresh storage, cookies and Service Workers. WebKit: a new MiniBrowser (one WebDriver session each). */
	newContext(): Promise<Context>;
	/** A new page in this browser's first context (made on first use). */
	newPage(): Promise<Page>;
	close(): Promise<void>;
}

export const viewport = { width: 1280, height: 800 };

const chromiumPath = "/usr/bin/chromium";
const firefoxPath = "/usr/bin/firefox-esr";
const webkitDriverPath = "/usr/bin/WebKitWebDriver";
const miniBrowserPath = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

export async function launch(engine: Engine): Promise<Browser> {
	let inner: { newContext(): Promise<Context>; close(): Promise<void> };
	if (engine === "chromium") inner = await launchChromium();
	else if (engine === "firefox") inner = await launchFirefox();
	else if (engine === "webkit") inner = await launchWebKit();
	else throw new Error(`Unknown engine ${String(engine)}`);
	const contexts: Context[] = [];
	let first: Promise<Context> | undefined;
	const newContext = async (): Promise<Context> => {
		const context = await inner.newContext();
		contexts.push(context);
		return context;
	};
	return {
		engine,
		newContext,
		async newPage() {
			first ??= newContext();
			return (await first).newPage();
		},
		async close() {
			await Promise.all(contexts.map((context) => bounded(context.close(), 10_000)));
			await bounded(inner.close(), 15_000);
		},
	};
}

/** Polls `check` until it returns true (errors count as false); fails with `message` after `timeout`. */
export async function until(check: () => Promise<boolean> | boolean, message: string, timeout = 15_000, interval = 100): Promise<void> {
	const deadline = Date.now() + timeout;
	let lastError: unknown;
	for (;;) {
		try {
			if (await check()) return;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			const why = lastError instanceof Error ? ` (last error: ${lastError.message.split("\n")[0]})` : "";
			throw new Error(`Timed out after ${timeout} ms: ${message}${why}`);
		}
		await sleep(interval);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// The engine-neutral part: every engine only supplies these primitives.

type Backend = {
	engine: Engine;
	goto(url: string): Promise<void>;
	reload(): Promise<void>;
	url(): Promise<string>;
	evaluate(fn: (arg: unknown) => unknown, arg: unknown): Promise<unknown>;
	/** Evaluates a JavaScript expression (a string) in the page, awaiting a promise. */
	expression(source: string): Promise<unknown>;
	/** Clicks, with the engine's input, the element the expression evaluates to. */
	clickElement(source: string): Promise<void>;
	screenshot(): Promise<Buffer>;
	cookies(): Promise<Cookie[]>;
	loads(): number;
	errors(): readonly string[];
	close(): Promise<void>;
};

/**
 * The in-page resolver of a `Target`, as source so that every engine evaluates the very same text (a function
 * passed through a bundler could pick up helpers the page does not have). Returns the matching elements.
 */
const findSource = String.raw`((target) => {
	const norm = (value) => String(value ?? "").replace(/\s+/g, " ").trim();
	const matches = (value, wanted, exact) => exact ? norm(value) === wanted : norm(value).toLowerCase().includes(String(wanted).toLowerCase());
	const rendered = (el) => {
		if (el.getClientRects().length === 0) return false;
		if (typeof el.checkVisibility === "function" && !el.checkVisibility()) return false;
		return getComputedStyle(el).visibility !== "hidden";
	};
	const ariaHidden = (el) => el.closest("[aria-hidden=true]") !== null;
	const implicit = {
		button: "button,input[type=button],input[type=submit],input[type=reset],input[type=image],summary",
		link: "a[href],area[href]",
		heading: "h1,h2,h3,h4,h5,h6",
		radio: "input[type=radio]",
		checkbox: "input[type=checkbox]",
		textbox: "input:not([type]),input[type=text],input[type=email],input[type=tel],input[type=url],input[type=search],input[type=password],textarea",
		combobox: "select",
		list: "ul,ol",
		listitem: "li",
		img: "img[alt]:not([alt=''])",
		dialog: "dialog",
		navigation: "nav",
		main: "main",
		table: "table",
		row: "tr",
		cell: "td",
		status: "output",
		progressbar: "progress",
	};
	const explicitRole = (el) => (el.getAttribute("role") ?? "").trim().split(/\s+/)[0] ?? "";
	const name = (el) => {
		const label = el.getAttribute("aria-label");
		if (label && norm(label)) return norm(label);
		const ids = el.getAttribute("aria-labelledby");
		if (ids) return norm(ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" "));
		if (el instanceof HTMLInputElement) {
			if (["button", "submit", "reset"].includes(el.type)) return norm(el.value);
			const labels = el.labels ? [...el.labels].map((l) => l.textContent).join(" ") : "";
			return norm(labels || el.getAttribute("placeholder") || el.getAttribute("title") || "");
		}
		if (el instanceof HTMLImageElement) return norm(el.alt);
		return norm(el.textContent) || norm(el.getAttribute("title"));
	};
	if ("css" in target) return [...document.querySelectorAll(target.css)];
	if ("role" in target) {
		const found = new Set();
		for (const el of document.querySelectorAll("[role]")) if (explicitRole(el) === target.role) found.add(el);
		if (implicit[target.role]) for (const el of document.querySelectorAll(implicit[target.role])) if (!el.hasAttribute("role") || explicitRole(el) === "") found.add(el);
		return [...found].filter((el) => rendered(el) && !ariaHidden(el) && (target.name === undefined || matches(name(el), target.name, target.exact)));
	}
	const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "TITLE"]);
	const all = [...document.body.querySelectorAll("*")].filter((el) => !skip.has(el.tagName) && matches(el.textContent, target.text, target.exact));
	return all.filter((el) => ![...el.children].some((child) => all.includes(child)));
})`;

const renderedSource = String.raw`((el) => el.getClientRects().length > 0 && (typeof el.checkVisibility !== "function" || el.checkVisibility()) && getComputedStyle(el).visibility !== "hidden")`;

function describeTarget(target: Target): string {
	if ("css" in target) return `css ${JSON.stringify(target.css)}`;
	if ("role" in target) return `role ${target.role}${target.name === undefined ? "" : ` named ${JSON.stringify(target.name)}${target.exact ? " (exact)" : ""}`}`;
	return `text ${JSON.stringify(target.text)}${target.exact ? " (exact)" : ""}`;
}

function createPage(backend: Backend, onClose: () => void): Page {
	const visible = (target: Target) => `${findSource}(${JSON.stringify(target)}).filter(${renderedSource})`;
	/** Counts: [rendered, enabled among them, all]. */
	const tally = async (target: Target) =>
		(await backend.expression(`(() => { const all = ${findSource}(${JSON.stringify(target)}); const shown = all.filter(${renderedSource}); return [shown.length, shown.filter((el) => !el.disabled).length, all.length]; })()`)) as [number, number, number];

	async function waitFor(target: Target, options: WaitOptions & { enabled?: boolean } = {}): Promise<void> {
		const state = options.state ?? "visible";
		let last: [number, number, number] = [0, 0, 0];
		const wanted = state === "hidden" ? "no visible match" : state === "attached" ? "a match" : options.enabled ? "exactly one visible, enabled match" : "exactly one visible match";
		try {
			await until(async () => {
				last = await tally(target);
				if (state === "hidden") return last[0] === 0;
				if (state === "attached") return last[2] > 0;
				return last[0] === 1 && (!options.enabled || last[1] === 1);
			}, "", options.timeout ?? 15_000);
		} catch {
			throw new Error(`${backend.engine}: waited ${options.timeout ?? 15_000} ms for ${wanted} of ${describeTarget(target)}; last seen ${last[0]} visible (${last[1]} enabled) of ${last[2]}`);
		}
	}

	let closed = false;
	const page: Page = {
		engine: backend.engine,
		goto: (url) => backend.goto(url),
		reload: () => backend.reload(),
		url: () => backend.url(),
		evaluate: ((fn: (arg: unknown) => unknown, arg?: unknown) => backend.evaluate(fn, arg)) as Page["evaluate"],
		async waitForFunction<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A, options: { timeout?: number; message?: string } = {}): Promise<R> {
			let value: unknown;
			await until(
				async () => {
					value = await backend.evaluate(fn as (arg: unknown) => unknown, arg);
					return Boolean(value);
				},
				options.message ?? `${backend.engine}: ${fn.toString().slice(0, 120)}`,
				options.timeout ?? 15_000,
			);
			return value as R;
		},
		async click(target, options = {}) {
			await waitFor(target, { ...options, enabled: true });
			await backend.clickElement(`${visible(target)}[0]`);
		},
		waitFor: (target, options) => waitFor(target, options),
		async count(target) {
			return (await tally(target))[2];
		},
		async text(target, options = {}) {
			await waitFor(target, options);
			return String(await backend.expression(`${visible(target)}[0]?.textContent ?? ""`));
		},
		async screenshot(path) {
			await mkdir(dirname(path), { recursive: true });
			await writeFile(path, await backend.screenshot());
		},
		loads: () => backend.loads(),
		async waitForLoads(count, options = {}) {
			await until(() => backend.loads() >= count, `${backend.engine}: ${count} loads (seen ${backend.loads()})`, options.timeout ?? 15_000, 25);
		},
		cookies: () => backend.cookies(),
		errors: () => backend.errors(),
		async close() {
			if (closed) return;
			closed = true;
			onClose();
			await bounded(backend.close(), 10_000);
		},
	};
	return page;
}

/** A page opened by the page itself: wait for its first document, and count it if its `load` came before we listened. */
async function settlePopup(backend: Backend & { noteFirstLoad(): void }, timeout: number): Promise<void> {
	await until(
		async () => {
			const [href, state] = (await backend.expression(`[location.href, document.readyState]`)) as [string, string];
			return href !== "about:blank" && state === "complete";
		},
		`${backend.engine}: the new page's first document`,
		timeout,
	);
	backend.noteFirstLoad();
}

function track(list: Page[], make: (onClose: () => void) => Page): Page {
	let page: Page | undefined;
	page = make(() => {
		const index = page ? list.indexOf(page) : -1;
		if (index >= 0) list.splice(index, 1);
	});
	list.push(page);
	return page;
}

// ---------------------------------------------------------------------------------------------------------------
// Chromium: playwright-core.

/** Debian's Chromium under Playwright itself, for a Chromium-only test that wants Playwright's own API. */
export function launchPlaywrightChromium(): Promise<PwBrowser> {
	return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

async function launchChromium() {
	const browser = await launchPlaywrightChromium();
	return {
		async newContext(): Promise<Context> {
			const context = await browser.newContext({ viewport });
			const pages: Page[] = [];
			// Playwright announces a page before its first load: its `load` listener sees that load, popups' included.
			const wrap = (pw: PwPage): Page => track(pages, (onClose) => createPage(chromiumBackend(context, pw), onClose));
			return {
				engine: "chromium",
				newPage: async () => wrap(await context.newPage()),
				pages: () => [...pages],
				async waitForPage(action, options = {}) {
					const opened = context.waitForEvent("page", { timeout: options.timeout ?? 15_000 });
					await action();
					const page = wrap(await opened);
					await page.waitForLoads(1, options);
					return page;
				},
				close: () => bounded(context.close(), 10_000),
			};
		},
		close: () => browser.close(),
	};
}

function chromiumBackend(context: PwContext, page: PwPage): Backend {
	let loads = 0;
	const errors: string[] = [];
	page.on("load", () => {
		if (page.url() !== "about:blank") loads++;
	});
	page.on("pageerror", (error) => errors.push(error.message));
	return {
		engine: "chromium",
		goto: async (url) => void (await page.goto(url, { waitUntil: "load" })),
		reload: async () => void (await page.reload({ waitUntil: "load" })),
		url: async () => page.url(),
		evaluate: (fn, arg) => page.evaluate(fn, arg),
		expression: (source) => page.evaluate(source),
		async clickElement(source) {
			const handle = (await page.evaluateHandle(source)).asElement() as ElementHandle<Element> | null;
			if (!handle) throw new Error("chromium: the target is gone");
			await handle.click();
		},
		screenshot: () => page.screenshot(),
		cookies: async () => (await context.cookies(page.url())).map(({ name, value, httpOnly, path }) => ({ name, value, httpOnly, path })),
		loads: () => loads,
		errors: () => errors,
		close: () => page.close(),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi.

async function launchFirefox() {
	const browser: PpBrowser = await puppeteer.launch({
		browser: "firefox",
		executablePath: firefoxPath,
		headless: true,
		// puppeteer's setViewport also overrides the screen orientation, which Firefox ESR 140's BiDi does not know.
		defaultViewport: viewport,
		extraPrefsFirefox: {
			// Nothing but localhost is reachable here: no update, telemetry or safe-browsing traffic.
			"app.update.enabled": false,
			"browser.safebrowsing.malware.enabled": false,
			"browser.safebrowsing.phishing.enabled": false,
			"datareporting.policy.dataSubmissionEnabled": false,
			"network.captive-portal-service.enabled": false,
			"network.connectivity-service.enabled": false,
		},
	});
	return {
		async newContext(): Promise<Context> {
			const context = await browser.createBrowserContext();
			const pages: Page[] = [];
			const wrap = (pp: PpPage): Page => track(pages, (onClose) => createPage(firefoxBackend(pp), onClose));
			return {
				engine: "firefox",
				newPage: async () => wrap(await context.newPage()),
				pages: () => [...pages],
				async waitForPage(action, options = {}) {
					const timeout = options.timeout ?? 15_000;
					const known = new Set(await context.pages());
					await action();
					let opened: PpPage | undefined;
					await until(async () => {
						opened = (await context.pages()).find((candidate) => !known.has(candidate));
						return opened !== undefined;
					}, "firefox: a new page", timeout);
					const backend = firefoxBackend(opened!);
					const page = track(pages, (onClose) => createPage(backend, onClose));
					await settlePopup(backend, timeout);
					return page;
				},
				close: () => bounded(context.close(), 10_000),
			};
		},
		close: () => browser.close(),
	};
}

function firefoxBackend(page: PpPage): Backend & { noteFirstLoad(): void } {
	let loads = 0;
	const errors: string[] = [];
	const countLoad = () => {
		if (page.url() !== "about:blank") loads++;
	};
	// puppeteer's BiDi Page emits `load` for every frame's load, iframes included: listen on the top-level browsing
	// context itself (it outlives navigations), and fall back to the page's event if puppeteer's internals change.
	const top = (page.mainFrame() as unknown as { browsingContext?: { on?(event: "load", listener: () => void): unknown } }).browsingContext;
	if (typeof top?.on === "function") top.on("load", countLoad);
	else page.on("load", countLoad);
	page.on("pageerror", (error) => errors.push(error instanceof Error ? error.message : String(error)));
	return {
		engine: "firefox",
		goto: async (url) => void (await page.goto(url, { waitUntil: "load" })),
		reload: async () => void (await page.reload({ waitUntil: "load" })),
		url: async () => page.url(),
		evaluate: (fn, arg) => page.evaluate(fn, arg),
		expression: (source) => page.evaluate(source),
		async clickElement(source) {
			const handle = (await page.evaluateHandle(source)).asElement() as PpElementHandle<Element> | null;
			if (!handle) throw new Error("firefox: the target is gone");
			await handle.click();
		},
		screenshot: async () => Buffer.from(await page.screenshot({ type: "png" })),
		// Page.cookies is deprecated in favour of Browser.cookies, which has no URL filter.
		cookies: async () => (await page.cookies()).map(({ name, value, httpOnly, path }) => ({ name, value, httpOnly: httpOnly === true, path })),
		loads: () => loads,
		errors: () => errors,
		noteFirstLoad: () => void (loads = Math.max(loads, 1)),
		close: () => page.close(),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// WebKit: WebKitWebDriver (classic WebDriver) driving MiniBrowser on an Xvfb display of our own.

type Display = { name: string; release(): Promise<void> };

let display: { process: ChildProcess; name: string; users: number } | undefined;
let displayStarting: Promise<string> | undefined;

/** One Xvfb for the whole process, started on first use and stopped when its last user lets go. */
async function acquireDisplay(): Promise<Display> {
	if (!display) {
		displayStarting ??= startXvfb().then(({ process: child, name }) => {
			display = { process: child, name, users: 0 };
			return name;
		});
		try {
			await displayStarting;
		} finally {
			displayStarting = undefined;
		}
	}
	const current = display!;
	current.users++;
	let released = false;
	return {
		name: current.name,
		async release() {
			if (released) return;
			released = true;
			if (--current.users === 0 && display === current) {
				display = undefined;
				await stop(current.process);
			}
		},
	};
}

function startXvfb(): Promise<{ process: ChildProcess; name: string }> {
	return new Promise((resolve, reject) => {
		// -displayfd: Xvfb picks a free display and writes its number to fd 3 once it accepts connections.
		const child = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"], {
			stdio: ["ignore", "ignore", "pipe", "pipe"],
		});
		killOnExit(child);
		let stderr = "";
		let out = "";
		child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
		const fd = child.stdio[3] as NodeJS.ReadableStream | null;
		fd?.on("data", (chunk: Buffer) => {
			out += chunk.toString();
			if (out.includes("\n")) resolve({ process: child, name: `:${out.trim()}` });
		});
		child.once("error", reject);
		child.once("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it was ready: ${stderr.trim().slice(-500)}`)));
		setTimeout(() => reject(new Error("Xvfb did not start within 10 s")), 10_000).unref();
	});
}

async function launchWebKit() {
	const screen = await acquireDisplay();
	return {
		async newContext(): Promise<Context> {
			// One WebKitWebDriver and one session (one MiniBrowser, ephemeral storage) per context.
			const port = await freePort();
			const service = spawn(webkitDriverPath, [`--port=${port}`, "--host=127.0.0.1"], {
				env: { ...process.env, DISPLAY: screen.name },
				stdio: ["ignore", "ignore", "pipe"],
				// Its own process group, so that stopping it also stops the MiniBrowser it started.
				detached: true,
			});
			killOnExit(service, { group: true });
			let serviceLog = "";
			service.stderr?.on("data", (chunk: Buffer) => (serviceLog = (serviceLog + chunk.toString()).slice(-2000)));
			const base = `http://127.0.0.1:${port}`;
			try {
				await until(async () => (await fetch(`${base}/status`)).ok, `WebKitWebDriver on ${base}: ${serviceLog}`, 10_000, 50);
			} catch (error) {
				await stop(service);
				throw error;
			}
			let driver: WebDriver;
			try {
				driver = await new selenium.Builder()
					.disableEnvironmentOverrides()
					.usingServer(base)
					.withCapabilities({
						browserName: "MiniBrowser",
						"webkitgtk:browserOptions": { binary: miniBrowserPath, args: ["--automation"] },
					})
					.build();
				await driver.manage().setTimeouts({ script: 60_000, pageLoad: 60_000, implicit: 0 });
			} catch (error) {
				await stop(service);
				throw new Error(`WebKit: no session (${error instanceof Error ? error.message : String(error)}); WebKitWebDriver said: ${serviceLog}`);
			}
			const session = new WebKitSession(driver);
			const firstWindow = await driver.getWindowHandle();
			session.current = firstWindow;
			let firstUsed = false;
			const pages: Page[] = [];
			const wrap = async (handle: string, popup: boolean): Promise<Page> => {
				await session.run(handle, () => fitViewport(driver));
				const backend = await webkitBackend(session, handle, () => pages.length);
				const page = track(pages, (onClose) => createPage(backend, onClose));
				if (popup) await settlePopup(backend, 15_000);
				return page;
			};
			let closed = false;
			return {
				engine: "webkit",
				async newPage() {
					if (!firstUsed) {
						firstUsed = true;
						return wrap(firstWindow, false);
					}
					// A window, not a tab: a script in a background tab of MiniBrowser does not run until it is shown.
					const handle = await session.run(null, async () => {
						const before = new Set(await driver.getAllWindowHandles());
						await driver.switchTo().newWindow("window");
						const handles = await driver.getAllWindowHandles();
						session.current = handles.find((candidate) => !before.has(candidate)) ?? (await driver.getWindowHandle());
						return session.current;
					});
					return wrap(handle, false);
				},
				pages: () => [...pages],
				async waitForPage(action, options = {}) {
					const timeout = options.timeout ?? 15_000;
					const known = new Set(await session.run(null, () => driver.getAllWindowHandles()));
					await action();
					let handle: string | undefined;
					await until(async () => {
						handle = (await session.run(null, () => driver.getAllWindowHandles())).find((candidate) => !known.has(candidate));
						return handle !== undefined;
					}, "webkit: a new window", timeout);
					return wrap(handle!, true);
				},
				async close() {
					if (closed) return;
					closed = true;
					session.closed = true;
					await bounded(driver.quit(), 10_000).catch(() => undefined);
					await stop(service);
				},
			};
		},
		close: () => screen.release(),
	};
}

/** Sizes the current window so that its viewport is `viewport`, as in the other engines (MiniBrowser opens at 1024×768). */
async function fitViewport(driver: WebDriver): Promise<void> {
	for (let attempt = 0; attempt < 2; attempt++) {
		const [width, height] = (await driver.executeScript("return [innerWidth, innerHeight]")) as [number, number];
		if (width === viewport.width && height === viewport.height) return;
		const rect = await driver.manage().window().getRect();
		await driver.manage().window().setRect({ width: rect.width + viewport.width - width, height: rect.height + viewport.height - height });
	}
}

/**
 * One WebDriver session drives every window of a context, one command at a time, against whichever window is
 * current: each operation runs alone, after switching to its window.
 */
class WebKitSession {
	current: string | null = null;
	closed = false;
	private queue: Promise<unknown> = Promise.resolve();
	constructor(readonly driver: WebDriver) {}

	run<T>(handle: string | null, operation: () => Promise<T>): Promise<T> {
		const result = this.queue.then(async () => {
			if (this.closed) throw new Error("webkit: the context is closed");
			if (handle !== null && this.current !== handle) {
				await this.driver.switchTo().window(handle);
				this.current = handle;
			}
			return operation();
		});
		this.queue = result.catch(() => undefined);
		return result;
	}
}

let jobCounter = 0;

async function webkitBackend(session: WebKitSession, handle: string, openPages: () => number): Promise<Backend & { noteFirstLoad(): void }> {
	const { driver } = session;
	const run = <T>(operation: () => Promise<T>) => session.run(handle, operation);
	let loads = 0;
	let origin: number | undefined;
	let closed = false;

	/**
	 * One sample of the current document: a later `performance.timeOrigin` is a new document. Only a later one: during a
	 * navigation, under load, a script may still run in the outgoing document, and flipping between the two would count
	 * each flip as a load (a CI run counted 6 for 2 real reloads).
	 */
	async function sample(): Promise<void> {
		const [timeOrigin, href] = (await run(() => driver.executeScript("return [performance.timeOrigin, location.href]"))) as [number, string];
		if (origin === undefined || timeOrigin > origin) {
			if (origin !== undefined && href !== "about:blank") loads++;
			origin = timeOrigin;
		}
	}
	await sample().catch(() => undefined);
	// The first sample is the baseline: a window opened by the page may already show its first document.
	const poll = setInterval(() => {
		if (!closed && !session.closed) sample().catch(() => undefined);
	}, 50);
	poll.unref();

	/**
	 * Starts `fn(arg)` and returns at once; a promise's outcome is kept on `window` and polled for. So no command waits
	 * on the page, and evaluations in several windows run at the same time.
	 */
	async function evaluateSource(fnSource: string, arg: unknown): Promise<unknown> {
		const id = `job${++jobCounter}`;
		const start = `
			const fn = (${fnSource});
			const id = arguments[1];
			const fail = (error) => ({ state: "rejected", error: error && error.stack ? String(error.message) + "\\n" + String(error.stack) : String(error) });
			let value;
			try { value = fn(arguments[0]); } catch (error) { return fail(error); }
			if (value && typeof value.then === "function") {
				const jobs = (window.__driverJobs ??= {});
				jobs[id] = { state: "pending" };
				value.then((result) => { jobs[id] = { state: "fulfilled", value: result === undefined ? null : result }; }, (error) => { jobs[id] = fail(error); });
				return { state: "pending", origin: performance.timeOrigin };
			}
			return { state: "fulfilled", value: value === undefined ? null : value };`;
		type Outcome = { state: "pending"; origin: number } | { state: "fulfilled"; value: unknown } | { state: "rejected"; error: string } | { state: "gone" };
		let outcome = (await run(() => driver.executeScript(start, arg ?? null, id))) as Outcome;
		const poll = `const job = window.__driverJobs?.[arguments[0]]; if (!job || performance.timeOrigin !== arguments[1]) return { state: "gone" }; if (job.state !== "pending") delete window.__driverJobs[arguments[0]]; return job;`;
		if (outcome.state === "pending") {
			const startedIn = outcome.origin;
			let wait = 5;
			for (;;) {
				await sleep(wait);
				wait = Math.min(wait * 2, 40);
				outcome = (await run(() => driver.executeScript(poll, id, startedIn)).catch(() => ({ state: "gone" }))) as Outcome;
				if (outcome.state !== "pending") break;
			}
		}
		if (outcome.state === "fulfilled") return outcome.value;
		if (outcome.state === "gone") throw new Error("webkit: the page navigated while the evaluation ran (execution context was destroyed)");
		throw new Error(`webkit: evaluation failed: ${(outcome as { error: string }).error}`);
	}

	return {
		engine: "webkit",
		async goto(url) {
			await run(() => driver.get(url));
			await sample();
		},
		async reload() {
			await run(() => driver.navigate().refresh());
			await sample();
		},
		url: () => run(() => driver.getCurrentUrl()),
		evaluate: (fn, arg) => evaluateSource(fn.toString(), arg),
		expression: (source) => evaluateSource(`() => (${source})`, null),
		async clickElement(source) {
			await run(async () => {
				const element = (await driver.executeScript(`return ${source};`)) as WebElement | null;
				if (!element) throw new Error("webkit: the target is gone");
				await element.click();
			});
		},
		screenshot: async () => Buffer.from(await run(() => driver.takeScreenshot()), "base64"),
		cookies: async () =>
			((await run(() => driver.manage().getCookies())) as { name: string; value: string; httpOnly?: boolean; path?: string }[]).map(({ name, value, httpOnly, path }) => ({
				name,
				value,
				httpOnly: httpOnly === true,
				...(path === undefined ? {} : { path }),
			})),
		loads: () => loads,
		errors: () => [],
		noteFirstLoad: () => void (loads = Math.max(loads, 1)),
		async close() {
			closed = true;
			clearInterval(poll);
			if (session.closed) return;
			// Closing the last window would end the session: leave it on a blank page instead; the context closes it.
			if (openPages() === 0) await run(() => driver.get("about:blank"));
			else await run(() => driver.close());
			if (session.current === handle) session.current = null;
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with `promise`, or after `ms` whatever it does: closing a browser mid-navigation has been seen to hang. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

const children = new Set<ChildProcess>();
/** Children started `detached`: each leads its own process group, which holds what it started. */
const groupLeaders = new WeakSet<ChildProcess>();
let exitHook = false;

/** Children we started die with this process, even when a test run is cut short. */
function killOnExit(child: ChildProcess, options: { group?: boolean } = {}): void {
	children.add(child);
	if (options.group) groupLeaders.add(child);
	child.once("exit", () => children.delete(child));
	if (exitHook) return;
	exitHook = true;
	process.once("exit", () => {
		for (const each of children) signal(each, "SIGKILL");
	});
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	if (groupLeaders.has(child)) {
		try {
			process.kill(-child.pid, name);
		} catch {
			// The group is gone.
		}
	}
	try {
		child.kill(name);
	} catch {
		// Already gone.
	}
}

async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
	signal(child, "SIGTERM");
	if ((await bounded(exited.then(() => true), 3_000)) !== true) {
		signal(child, "SIGKILL");
		await bounded(exited, 2_000);
	}
}
