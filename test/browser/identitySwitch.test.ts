import { describe, expect, it } from "vitest";
import { count, demoState, persistedCounters, ready, screenshot, settledIn, useDemoBrowser } from "./helpers/demoBrowser.js";

const demo = useDemoBrowser();

// Seed 001: logout-all at the portal, sign in as someone else, come back to the tab: every request in flight gets a 401.
describe("identity switch (seed 001)", () => {
	it("with tokenflight: one reload, no error toast, and the new user after it", async () => {
		const tab = await demo.open();
		expect(await tab.page.locator("#user-name").textContent()).toBe("Alice Chen");

		await tab.page.getByRole("button", { name: "Switch identity", exact: true }).click();
		const after = await settledIn(tab, "workspace", 2);
		// Long enough for a second reload, or a late toast, to show up.
		await tab.page.waitForTimeout(1_500);

		const counters = await persistedCounters(tab.page);
		expect(count(counters, "auth.info", 401) + count(counters, "documents.list", 401)).toBeGreaterThanOrEqual(3);
		expect(tab.loads()).toBe(2);
		expect(after).toMatchObject({ user: "bob", reloads: 1, toastsTotal: 0 });
		expect((await demoState(tab.page)).toastsTotal).toBe(0);
		expect(await tab.page.locator("#user-name").textContent()).toBe("Bob Rivera");
		await screenshot(tab.page, "identity-switch-tokenflight");
	});

	it("with the naive ky client: the same switch flashes error toasts before the reload", async () => {
		const tab = await demo.open();
		await tab.page.getByRole("radio", { name: "naive ky client" }).click();
		await settledIn(tab, "workspace", 2);
		await ready(tab.page);

		await tab.page.getByRole("button", { name: "Switch identity", exact: true }).click();
		const after = await settledIn(tab, "workspace", 3);

		expect(after.user).toBe("bob");
		expect(after.toastsTotal).toBeGreaterThanOrEqual(1);
		const log = await tab.page.evaluate(() => (window as unknown as { demo: { log(): { text: string }[] } }).demo.log().map((entry) => entry.text));
		expect(log).toContainEqual(expect.stringMatching(/^toast: Failed to load/));
		expect(log).toContainEqual(expect.stringMatching(/^[1-9]\d* error toasts? shown before the last reload$/));
		await screenshot(tab.page, "identity-switch-naive");
	});
});
