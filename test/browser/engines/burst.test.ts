import { describe, expect, it } from "vitest";
import { engines } from "../../helpers/browser/driver.js";
import { count, demoState, logLines, persistedCounters, screenshot, until, useDemo } from "./demo.js";

// Ported from the Chromium-only test/browser/burst.test.ts onto the driver: the same test in each engine.
describe.each(engines())("burst (%s)", (engine) => {
	const demo = useDemo(engine);

	it("20 parallel requests with an expired access token: one refresh call, 20 successes", async () => {
		const page = await demo.open();
		const before = await persistedCounters(page);
		// Expired at the server only: the client still believes the token is good, so all 20 go out and get a 401.
		await page.evaluate(() => (window as unknown as { demo: { backend: { expireAccessTokens(): void } } }).demo.backend.expireAccessTokens());

		await page.click({ role: "button", name: "Burst 20 parallel requests" });
		await until(async () => (await logLines(page)).some((line) => line.startsWith("burst: 20/")), "the burst to finish");

		const after = await persistedCounters(page);
		expect(after.refreshCalls - before.refreshCalls).toBe(1);
		expect(after.refreshSuccesses - before.refreshSuccesses).toBe(1);
		expect(after.reuseDetections).toBe(0);
		expect(count(after, "documents.list", 401) - count(before, "documents.list", 401)).toBe(20);
		expect(count(after, "documents.list", 200) - count(before, "documents.list", 200)).toBe(20);
		expect(await demoState(page)).toMatchObject({ toastsTotal: 0, reloads: 0, session: { status: "authenticated" } });
		await screenshot(page, "burst");
	});
});
