// examples/spa, the README's browser recipe, in Chromium: a plain ES-module page (no framework, no bundler) with
// indexedDbTokenStore, the default reauthenticate and session.subscribe. When the session dies at the server, the
// next request makes exactly one reload, the page comes back signed in, and nothing rejects on the way.
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSpaServer } from "../../examples/spa/serve.mjs";

const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"];

let server: Awaited<ReturnType<typeof startSpaServer>>;
let browser: Browser;

beforeAll(async () => {
	server = await startSpaServer({ port: 0 });
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: launchArgs });
});
afterAll(async () => {
	await browser?.close();
	await server?.close();
});

async function until(check: () => Promise<boolean>, message: string, timeout = 15_000): Promise<void> {
	const deadline = Date.now() + timeout;
	while (!(await check().catch(() => false))) {
		if (Date.now() > deadline) throw new Error(`timed out: ${message}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const signedIn = async (page: Page) => (await page.evaluate(() => document.documentElement.dataset["ready"])) === "true" && (await text(page, "#profile")) === "Hello, Alice";

describe("examples/spa: the browser recipe", () => {
	it("a session that dies makes one reload, and the page comes back signed in with no error", async () => {
		const page = await browser.newPage();
		const pageErrors: string[] = [];
		page.on("pageerror", (error) => pageErrors.push(error.message));
		// Not Chromium's own "Failed to load resource" lines: it logs every 4xx (the 401 and the refused refresh are the test).
		page.on("console", (message) => message.type() === "error" && !message.text().startsWith("Failed to load resource") && pageErrors.push(message.text()));
		let loads = 0;
		page.on("load", () => loads++);

		await page.goto(server.url);
		await until(() => signedIn(page), "signed in on the first load");
		expect(await text(page, "#status")).toBe("authenticated");
		expect(server.stats.pageLoads).toBe(1);

		await fetch(`${server.url}__session/end`, { method: "POST" });
		await page.evaluate(() => document.documentElement.removeAttribute("data-ready"));
		await page.click("#load");
		await until(async () => loads === 2 && (await signedIn(page)), "reloaded once and signed in again");

		// Settled: another request goes through without a further reload.
		await page.click("#load");
		await until(async () => (await text(page, "#profile")) === "Hello, Alice", "the profile again");
		expect(server.stats.pageLoads).toBe(2);
		expect(loads).toBe(2);
		expect(server.stats.rejectedRefreshes).toBe(1);
		expect(await text(page, "#errors")).toBe("");
		expect(pageErrors, pageErrors.join("\n")).toEqual([]);
		await page.close();
	});
});
