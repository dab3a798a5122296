import { describe, expect, it } from "vitest";
import { demoState, screenshot, useDemoBrowser } from "./helpers/demoBrowser.js";

const demo = useDemoBrowser();

describe("loop guard", () => {
	it("a backend that rejects every session ends on the sign-in screen after two reloads, not in a reload loop", async () => {
		const tab = await demo.open();

		await tab.page.getByRole("button", { name: "Reject every session (loop guard)" }).click();
		await tab.page.getByRole("heading", { name: "You're signed out" }).waitFor({ timeout: 20_000 });
		// A loop would have reloaded again by now.
		await tab.page.waitForTimeout(3_000);

		const state = await demoState(tab.page);
		expect(tab.loads() - 1).toBe(2);
		expect(state).toMatchObject({ view: "signedOut", reloads: 2, toastsTotal: 0, session: { status: "signedOut", reason: "refresh-failed" } });
		await screenshot(tab.page, "loop-guard");
	});
});
