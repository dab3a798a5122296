import { describe, expect, it } from "vitest";
import { count, demoState, persistedCounters, screenshot, until, useDemoBrowser } from "./helpers/demoBrowser.js";

const demo = useDemoBrowser();

describe("burst", () => {
	it("20 parallel requests with an expired access token: one refresh call, 20 successes", async () => {
		const tab = await demo.open();
		const before = await persistedCounters(tab.page);
		// Expired at the server only: the client still believes the token is good, so all 20 go out and get a 401.
		await tab.page.evaluate(() => (window as unknown as { demo: { backend: { expireAccessTokens(): void } } }).demo.backend.expireAccessTokens());

		await tab.page.getByRole("button", { name: "Burst 20 parallel requests" }).click();
		await until(
			async () => (await tab.page.evaluate(() => (window as unknown as { demo: { log(): { text: string }[] } }).demo.log().some((entry) => entry.text.startsWith("burst: 20/")))),
			"the burst to finish",
		);

		const after = await persistedCounters(tab.page);
		expect(after.refreshCalls - before.refreshCalls).toBe(1);
		expect(after.refreshSuccesses - before.refreshSuccesses).toBe(1);
		expect(after.reuseDetections).toBe(0);
		expect(count(after, "documents.list", 401) - count(before, "documents.list", 401)).toBe(20);
		expect(count(after, "documents.list", 200) - count(before, "documents.list", 200)).toBe(20);
		expect(await demoState(tab.page)).toMatchObject({ toastsTotal: 0, reloads: 0, session: { status: "authenticated" } });
		await screenshot(tab.page, "burst");
	});
});
