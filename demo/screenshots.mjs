// Regenerates demo/screenshots/*.png at 1280×800: `npm run build && node demo/screenshots.mjs`.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDemoServer } from "./serve.mjs";

const out = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"];

const { url, close } = await startDemoServer({ port: 0 });
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

/** A fresh browser profile with the demo open; `query` picks the mode. */
async function open(query = "") {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	await page.goto(`${url}${query}`);
	await booted(page);
	return { context, page };
}

try {
	await mkdir(out, { recursive: true });

	// tokenflight: Alice's workspace, the switch at the portal, the stall while it reloads, Bob after it.
	{
		const { context, page } = await open("?reauthDelay=2500");
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

	// The naive client (Outline before the fix): the same switch, with the toasts it flashes while the page navigates.
	{
		// The page takes 2 s to load, as a real one might: long enough to see what the page shows before it goes.
		const { context, page } = await open("?pageDelay=2000");
		await page.getByRole("radio", { name: "naive ky client" }).click();
		await page.waitForTimeout(2_500);
		await booted(page);
		await page.getByRole("button", { name: "Switch identity", exact: true }).click();
		// Not a locator: those wait for the held navigation to finish, and the point is the moment before it does.
		await page.waitForFunction(() => document.querySelectorAll(".toast").length >= 3, null, { timeout: 5_000 });
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
		const { context, page } = await open("?reauthDelay=0");
		await page.getByRole("button", { name: "Reject every session (loop guard)" }).click();
		await page.getByRole("heading", { name: "You're signed out" }).waitFor({ timeout: 20_000 });
		await booted(page);
		await shoot(page, "signed-out");
		await context.close();
	}
} finally {
	await browser.close();
	await close();
}
