import { describe, expect, it } from "vitest";
import { engines } from "../../helpers/browser/driver.js";
import { demoState, screenshot, sleep, useDemo } from "./demo.js";

describe.each(engines())("loop guard (%s)", (engine) => {
	const demo = useDemo(engine);

	it("a backend that rejects every session ends on the sign-in screen after two reloads, not in a reload loop", async () => {
		const page = await demo.open();

		await page.click({ role: "button", name: "Reject every session (loop guard)" });
		await page.waitFor({ role: "heading", name: "You're signed out" }, { timeout: 20_000 });
		// A loop would have reloaded again by now.
		await sleep(3_000);

		const state = await demoState(page);
		// The page's own count (kept across its reloads) and the engine's load events, side by side.
		expect({ reloads: state.reloads, loads: page.loads() - 1 }).toEqual({ reloads: 2, loads: 2 });
		expect(state).toMatchObject({ view: "signedOut", reloads: 2, toastsTotal: 0, session: { status: "signedOut", reason: "refresh-failed" } });
		await screenshot(page, "loop-guard");
	});
});
