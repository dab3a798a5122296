import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchPlaywrightChromium } from "../helpers/browser/driver.js";
import { bundleTestPage, serveTestPage } from "../helpers/browser/testPage.js";

/**
 * The session's lifetime in two real Chromium tabs of one origin: tokenflight's own BroadcastChannel, Web Locks and
 * localStorage, nothing faked. The page is test/browser/lifetime/page.ts, bundled with the rollup output (`npm run build` first).
 */

type State = {
	lifetime: { idleDeadline?: number; absoluteDeadline?: number; warning: string | null };
	session: { status: string; reason?: string };
	stored: string | null;
	refreshes: number;
	signedOut: string[];
	events: string[];
};

let server: Server;
let origin: string;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
	const serve = serveTestPage(await bundleTestPage("lifetime"), "lifetime");
	server = createServer((request, response) => void (serve(request, response) || response.writeHead(404).end()));
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	browser = await launchPlaywrightChromium();
	context = await browser.newContext();
});
afterAll(async () => {
	await context?.close();
	await browser?.close();
	await new Promise((resolve) => server?.close(resolve));
});

const state = (page: Page) => page.evaluate(() => (window as unknown as { lifetimeTest: { state(): State } }).lifetimeTest.state());

async function openTab(query: string): Promise<Page> {
	const page = await context.newPage();
	await page.goto(`${origin}/?${query}`);
	await page.waitForFunction(() => "lifetimeTest" in window);
	return page;
}

describe("session lifetime in two Chromium tabs", () => {
	it("should warn in both tabs, dismiss both from one, and sign both out when idle", async () => {
		const query = "idle=8000&warn=4000";
		const a = await openTab(query);
		await a.evaluate(() => (window as unknown as { lifetimeTest: { signIn(): Promise<void> } }).lifetimeTest.signIn());
		const b = await openTab(query);
		await b.waitForFunction(() => (window as unknown as { lifetimeTest: { state(): State } }).lifetimeTest.state().lifetime.idleDeadline !== undefined);
		expect((await state(b)).lifetime.idleDeadline).toBe((await state(a)).lifetime.idleDeadline);

		// The warning shows in both tabs, 4 s before the idle deadline.
		await a.getByRole("status").filter({ hasText: "ends soon" }).waitFor({ timeout: 10_000 });
		await b.getByRole("status").filter({ hasText: "ends soon" }).waitFor({ timeout: 2_000 });

		// "Stay signed in" in tab B: one refresh, and the warning goes in both.
		await b.getByRole("button", { name: "Stay signed in" }).click();
		await a.waitForFunction(() => (window as unknown as { lifetimeTest: { state(): State } }).lifetimeTest.state().lifetime.warning === null, undefined, { timeout: 2_000 });
		await b.waitForFunction(() => (window as unknown as { lifetimeTest: { state(): State } }).lifetimeTest.state().lifetime.warning === null, undefined, { timeout: 2_000 });
		await b.waitForFunction(() => (window as unknown as { lifetimeTest: { state(): State } }).lifetimeTest.state().refreshes === 1, undefined, { timeout: 2_000 });

		// Left alone: both tabs sign out with reason "idle", and the shared store is empty.
		const deadline = (await state(a)).lifetime.idleDeadline!;
		for (const page of [a, b]) {
			await page.waitForFunction(() => (window as unknown as { lifetimeTest: { state(): State } }).lifetimeTest.state().session.status === "signedOut", undefined, { timeout: 15_000 });
		}
		const [endA, endB] = [await state(a), await state(b)];
		expect(Date.now()).toBeGreaterThanOrEqual(deadline);
		expect([endA.session.reason, endB.session.reason]).toEqual(["idle", "idle"]);
		expect([endA.signedOut, endB.signedOut]).toEqual([["idle"], ["idle"]]);
		expect(endA.stored).toBeNull();
		expect(endA.refreshes).toBe(1);
		expect(endA.events).toContain("lifetime.warning");
		expect(endB.events).toContain("lifetime.expired");
	});
});
