import { describe, expect, it } from "vitest";
import { engines } from "../../helpers/browser/driver.js";
import { count, demoState, persistedCounters, ready, screenshot, settledIn, sleep, useDemo } from "./demo.js";

// Seed 001: logout-all at the portal, sign in as someone else, come back to the tab: every request in flight gets a 401.
describe.each(engines())("identity switch (seed 001) (%s)", (engine) => {
	const demo = useDemo(engine);

	it("with tokenflight: one reload, no error toast, and the new user after it", async () => {
		const page = await demo.open();
		expect(await page.text({ css: "#user-name" })).toBe("Alice Chen");

		await page.click({ role: "button", name: "Switch identity", exact: true });
		const after = await settledIn(page, "workspace", 2);
		// Long enough for a second reload, or a late toast, to show up.
		await sleep(1_500);

		const counters = await persistedCounters(page);
		expect(count(counters, "auth.info", 401) + count(counters, "documents.list", 401)).toBeGreaterThanOrEqual(3);
		expect(page.loads()).toBe(2);
		expect(after).toMatchObject({ user: "bob", reloads: 1, toastsTotal: 0 });
		expect((await demoState(page)).toastsTotal).toBe(0);
		expect(await page.text({ css: "#user-name" })).toBe("Bob Rivera");
		await screenshot(page, "identity-switch-tokenflight");
	});

	it("with the naive ky client: the same switch flashes error toasts before the reload", async () => {
		const page = await demo.open();
		await page.click({ role: "radio", name: "naive ky client" });
		await settledIn(page, "workspace", 2);
		await ready(page);

		await page.click({ role: "button", name: "Switch identity", exact: true });
		const after = await settledIn(page, "workspace", 3);

		expect(after.user).toBe("bob");
		expect(after.toastsTotal).toBeGreaterThanOrEqual(1);
		const log = await page.evaluate(() => (window as unknown as { demo: { log(): { text: string }[] } }).demo.log().map((entry) => entry.text));
		expect(log).toContainEqual(expect.stringMatching(/^toast: Failed to load/));
		expect(log).toContainEqual(expect.stringMatching(/^[1-9]\d* error toasts? shown before the last reload$/));
		await screenshot(page, "identity-switch-naive");
	});
});
