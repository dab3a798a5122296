// Regenerates demo/screenshots/*.png: `npm run build && node demo/screenshots.mjs`. The side-by-side page at 1280×800 and
// at 390×844 (a phone), then the app alone at 1280×800.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDemoServer } from "./serve.mjs";

const out = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"];
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

const { url, sideBySideUrl, close } = await startDemoServer({ port: 0 });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: launchArgs });

async function booted(page) {
	await page.waitForFunction(() => window.demo?.state !== undefined, null, { timeout: 15_000 });
	await page.evaluate(() => window.demo.ready);
	// Let toasts and the log settle into what a person would see.
	await page.waitForTimeout(400);
}

async function shoot(page, name) {
	await page.screenshot({ path: join(out, `${name}.png`) });
	console.log(`demo/screenshots/${name}.png`);
}

/** A fresh browser profile with `address` open. */
async function open(address, viewport = desktop) {
	const context = await browser.newContext({ viewport });
	const page = await context.newPage();
	await page.goto(address);
	await booted(page);
	return { context, page };
}

/** The side-by-side page's numbers. */
function state(page) {
	return page.evaluate(() => window.demo.state());
}

/** Polls the side-by-side page until `check(state)` holds. */
async function whenState(page, check, timeout = 30_000) {
	const deadline = Date.now() + timeout;
	for (;;) {
		if (check(await state(page))) return;
		if (Date.now() > deadline) throw new Error("timed out waiting for the side-by-side page");
		await page.waitForTimeout(100);
	}
}

const done = (s) => s.done;

try {
	await mkdir(out, { recursive: true });

	// The side-by-side page, desktop: before, the identity switch while both pages are about to reload (the naive one
	// under its toasts, tokenflight's saying it signs in again), and the verdict after.
	{
		const { context, page } = await open(sideBySideUrl);
		await shoot(page, "side-by-side");
		await page.getByRole("button", { name: "Identity switch", exact: true }).click();
		await whenState(page, (s) => s.frames.naive.toasts >= 10 && s.frames.tokenflight.navigating);
		await page.waitForTimeout(350);
		await shoot(page, "side-by-side-identity-switch");
		await whenState(page, done);
		await shoot(page, "side-by-side-identity-switch-verdict");

		// Seed 002: the naive frame reloads until the page stops it; tokenflight twice, then the sign-in screen.
		await page.getByRole("button", { name: "One endpoint keeps answering 401", exact: true }).click();
		await whenState(page, (s) => s.phase === "running");
		await whenState(page, done, 75_000);
		await shoot(page, "side-by-side-seed002");

		// Step-up: tokenflight's "confirm it's you" while the naive page toasts and goes.
		await page.getByRole("button", { name: "Step-up: the export needs 2FA", exact: true }).click();
		await whenState(page, (s) => s.phase === "running" && s.frames.naive.toasts >= 1);
		await page.waitForTimeout(300);
		await shoot(page, "side-by-side-step-up");
		await whenState(page, done);

		// Twenty requests on an expired token: twenty 401s and toasts against one refresh.
		await page.getByRole("button", { name: "20 requests, expired token", exact: true }).click();
		await whenState(page, (s) => s.phase === "running" && s.frames.naive.toasts >= 20);
		await page.waitForTimeout(350);
		await shoot(page, "side-by-side-burst");
		await whenState(page, done);
		await page.evaluate(() => document.querySelector(".below")?.scrollIntoView({ block: "start" }));
		await shoot(page, "side-by-side-runs");
		await context.close();
	}

	// The side-by-side page on a phone: the frames one above the other; a tap scrolls to the verdict and the naive frame.
	{
		const { context, page } = await open(sideBySideUrl, phone);
		await shoot(page, "side-by-side-390");
		await page.getByRole("button", { name: "Identity switch", exact: true }).click();
		await whenState(page, (s) => s.frames.naive.toasts >= 10 && s.frames.tokenflight.navigating);
		await page.waitForTimeout(350);
		await shoot(page, "side-by-side-390-identity-switch");
		await whenState(page, done);
		await page.evaluate(() => document.querySelector('[data-side="tokenflight"]')?.scrollIntoView({ block: "start" }));
		await page.waitForTimeout(200);
		await shoot(page, "side-by-side-390-tokenflight");
		await context.close();
	}

	// The app alone (`/app`; `/` of this server): Alice's workspace, the switch at the portal, the stall while it reloads, Bob after it.
	{
		const { context, page } = await open(`${url}?reauthDelay=2500`);
		await page.getByRole("button", { name: "New document" }).click();
		await page.waitForTimeout(500);
		await shoot(page, "identity-switch-before");
		await page.getByRole("button", { name: "Switch identity", exact: true }).click();
		await page.waitForFunction(() => window.demo.state().session.status === "reauthenticating");
		await page.waitForTimeout(300);
		await shoot(page, "reauthenticating");
		await page.waitForFunction(() => window.demo?.state?.().user === "bob", null, { timeout: 15_000 });
		await booted(page);
		await shoot(page, "identity-switch-after");
		await context.close();
	}

	// The naive client alone (Outline before the fix): the same switch, with the toasts it shows while the page navigates.
	{
		// The page takes 2 s to load, as a real one might: long enough to see what the page shows before it goes.
		const { context, page } = await open(`${url}?pageDelay=2000`);
		await page.getByRole("radio", { name: "naive ky client" }).click();
		await page.waitForTimeout(2_500);
		await booted(page);
		await page.getByRole("button", { name: "Switch identity", exact: true }).click();
		// Not a locator: those wait for the held navigation to finish, and the point is the moment before it does.
		await page.waitForFunction(() => document.querySelectorAll(".toast").length >= 10, null, { timeout: 5_000 });
		await page.waitForTimeout(300);
		// Straight from the compositor: page.screenshot() would wait for the navigation under way, and miss the point.
		const cdp = await context.newCDPSession(page);
		const { data } = await cdp.send("Page.captureScreenshot", { format: "png" });
		await writeFile(join(out, "naive-toasts.png"), Buffer.from(data, "base64"));
		console.log("demo/screenshots/naive-toasts.png");
		await context.close();
	}

	// The loop guard: a backend that rejects every session ends on the sign-in screen, not in a reload loop.
	{
		const { context, page } = await open(`${url}?reauthDelay=0`);
		await page.getByRole("button", { name: "Reject every session (loop guard)" }).click();
		await page.getByRole("heading", { name: "You're signed out" }).waitFor({ timeout: 20_000 });
		await booted(page);
		await shoot(page, "signed-out");
		await context.close();
	}

	// The app alone on a phone.
	{
		const { context, page } = await open(url, phone);
		await shoot(page, "app-390");
		await context.close();
	}
} finally {
	await browser.close();
	await close();
}
