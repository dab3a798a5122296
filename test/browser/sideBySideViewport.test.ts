// The side-by-side demo as a visitor sees it, at 1280 × 800 and 390 × 844: while each scenario runs, the verdict and
// the naive frame's toasts are inside the viewport, and no log line is cut without a way to read it; while the step-up runs,
// tokenflight's confirm dialog is too.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../../demo/serve.mjs";

const viewports = [
	{ width: 1280, height: 800 },
	{ width: 390, height: 844 },
] as const;
const scenarios = ["switch", "switch-redirect", "embedded", "step-up", "burst"] as const;

let server: DemoServer;
let browser: Browser;
beforeAll(async () => {
	server = await startDemoServer({ port: 0 });
	browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
});
afterAll(async () => {
	await browser?.close();
	await server?.close();
});

type Rect = { top: number; bottom: number; left: number; right: number };
type Sample = { phase: string; naiveToasts: number; verdict: Rect; toasts: Rect[]; cutLines: string[]; innerHeight: number; innerWidth: number };

/** What is on screen now: the verdict's box, the naive frame's visible toasts in page coordinates, cut log lines. */
async function sample(page: Page): Promise<Sample> {
	const iframe = await page.$('iframe[data-frame="naive"]');
	const frame = await iframe?.contentFrame();
	const offset = (await iframe?.boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 };
	// Toasts the toast stack shows (the stack clips those beyond its height), clipped to the iframe.
	const inFrame: Rect[] = frame
		? await frame.evaluate(() => {
				const stack = document.querySelector(".toasts")?.getBoundingClientRect();
				return [...document.querySelectorAll(".toast:not(.leaving)")]
					.map((toast) => toast.getBoundingClientRect())
					.filter((box) => stack !== undefined && box.bottom <= stack.bottom + 0.5 && box.top >= stack.top - 0.5 && box.top < innerHeight)
					.map((box) => ({ top: box.top, bottom: box.bottom, left: box.left, right: box.right }));
			})
			// The frame reloaded while it was read (the naive client's reload): its toasts went with the old document.
			.catch(() => [])
		: [];
	const toasts = inFrame.map((box) => ({ top: box.top + offset.y, bottom: box.bottom + offset.y, left: box.left + offset.x, right: box.right + offset.x }));
	const page_ = await page.evaluate(() => {
		const verdict = document.querySelector("#verdict")!.getBoundingClientRect();
		const state = (window as unknown as { demo: { state(): { phase: string; frames: { naive: { toasts: number } } } } }).demo.state();
		const cutLines = [...document.querySelectorAll<HTMLElement>(".mini-log li span")]
			.filter((span) => span.scrollWidth > span.clientWidth + 1 && !span.title)
			.map((span) => span.textContent ?? "");
		return { phase: state.phase, naiveToasts: state.frames.naive.toasts, verdict: { top: verdict.top, bottom: verdict.bottom, left: verdict.left, right: verdict.right }, cutLines, innerHeight, innerWidth };
	});
	return { ...page_, toasts };
}

const inside = (box: Rect, s: Sample) => box.top >= -0.5 && box.bottom <= s.innerHeight + 0.5 && box.left >= -0.5 && box.right <= s.innerWidth + 0.5;

describe.each(viewports)("the side-by-side demo at $width × $height", (viewport) => {
	let page: Page;
	beforeAll(async () => {
		page = await browser.newPage({ viewport });
		await page.goto(server.sideBySideUrl);
		await page.waitForFunction(() => (window as unknown as { demo?: { state(): { phase: string } } }).demo?.state().phase === "idle", null, { timeout: 60_000 });
	});
	afterAll(async () => page?.close());

	it.each(scenarios)("while %s runs: the verdict and the naive frame's toasts are in view, no log line is cut", async (scenario) => {
		await page.click(`button.scenario[data-scenario="${scenario}"]`);
		await page.waitForFunction(() => (window as unknown as { demo: { state(): { phase: string } } }).demo.state().phase === "running", null, { timeout: 60_000 });
		const problems: string[] = [];
		let toastsSeen = 0;
		let toastsCounted = 0;
		for (;;) {
			const s = await sample(page);
			if (s.phase !== "running") break;
			if (!inside(s.verdict, s)) problems.push(`verdict at ${Math.round(s.verdict.top)}…${Math.round(s.verdict.bottom)}`);
			for (const toast of s.toasts) if (!inside(toast, s)) problems.push(`a naive toast at ${Math.round(toast.top)}…${Math.round(toast.bottom)}`);
			toastsSeen = Math.max(toastsSeen, s.toasts.length);
			toastsCounted = Math.max(toastsCounted, s.naiveToasts);
			problems.push(...s.cutLines.map((line) => `log line cut: ${line}`));
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect([...new Set(problems)]).toEqual([]);
		// The toasts the naive frame counted were on screen (not all: the stack shows as many as fit).
		if (toastsCounted > 0) expect(toastsSeen).toBeGreaterThan(0);
		// For a person to look at: what the run ended on.
		await page.screenshot({ path: join(tmpdir(), `tokenflight-side-by-side-${viewport.width}-${scenario}.png`) }).catch(() => undefined);
	});

	it("while step-up runs: the tokenflight frame's confirm dialog is in view whenever it is open", async () => {
		await page.click('button.scenario[data-scenario="step-up"]');
		await page.waitForFunction(() => (window as unknown as { demo: { state(): { phase: string } } }).demo.state().phase === "running", null, { timeout: 60_000 });
		const iframe = await page.$('iframe[data-frame="tokenflight"]');
		const frame = await iframe?.contentFrame();
		const problems: string[] = [];
		let openSeen = 0;
		for (;;) {
			const phase = await page.evaluate(() => (window as unknown as { demo: { state(): { phase: string } } }).demo.state().phase);
			if (phase !== "running") break;
			// The dialog's box in the frame and the frame's height: a dialog below the frame's own fold is not seen either.
			const dialog = await frame
				?.evaluate(() => {
					const backdrop = document.querySelector<HTMLElement>("#step-up");
					if (!backdrop || backdrop.hidden) return null;
					const box = backdrop.querySelector(".dialog")!.getBoundingClientRect();
					return { top: box.top, bottom: box.bottom, left: box.left, right: box.right, frameHeight: innerHeight };
				})
				.catch(() => null);
			if (dialog) {
				const offset = (await iframe!.boundingBox())!;
				const view = await page.evaluate(() => ({ innerHeight, innerWidth }));
				const box = { top: dialog.top + offset.y, bottom: dialog.bottom + offset.y, left: dialog.left + offset.x, right: dialog.right + offset.x };
				if (openSeen === 0) await page.screenshot({ path: join(tmpdir(), `tokenflight-side-by-side-${viewport.width}-step-up-dialog.png`) }).catch(() => undefined);
				openSeen++;
				if (dialog.bottom > dialog.frameHeight + 0.5) problems.push(`dialog below the frame's fold at ${Math.round(dialog.top)}…${Math.round(dialog.bottom)}`);
				if (!(box.top >= -0.5 && box.bottom <= view.innerHeight + 0.5 && box.left >= -0.5 && box.right <= view.innerWidth + 0.5))
					problems.push(`dialog at ${Math.round(box.top)}…${Math.round(box.bottom)} of a ${view.innerHeight} px viewport`);
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(openSeen).toBeGreaterThan(0);
		expect([...new Set(problems)]).toEqual([]);
	});

	it("302 → HTML: both 401 counters stay at 0, as nothing the page receives is a 401", async () => {
		await page.click('button.scenario[data-scenario="switch-redirect"]');
		await page.waitForFunction(() => (window as unknown as { demo: { state(): { done: boolean; scenario: string } } }).demo.state().done, null, { timeout: 60_000 });
		const frames = await page.evaluate(() => (window as unknown as { demo: { state(): { frames: Record<string, { unauthorized: number; reloads: number }> } } }).demo.state().frames);
		expect(frames["naive"]?.unauthorized).toBe(0);
		expect(frames["tokenflight"]?.unauthorized).toBe(0);
		expect(frames["tokenflight"]?.reloads).toBe(1);
	});
});
