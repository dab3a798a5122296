import { describe, expect, it } from "vitest";
import { screenshot, sideBySideDone, useDemoBrowser } from "../helpers/browser/demoBrowser.js";

const demo = useDemoBrowser();

// The side-by-side page (`/` under `npm run demo`): the app twice, on the naive ky client and on tokenflight, each
// frame on its own origin with its own mock backend. One button resets both sandboxes and runs the scenario in both;
// the page counts what each frame's user saw and sums it up in one line.
describe.each([
	{ mode: "bearer", query: "" },
	{ mode: "cookie", query: "?mode=cookie" },
] as const)("side-by-side page ($mode)", ({ mode, query }) => {
	it("identity switch (seed 001): error toasts in the naive frame, none with tokenflight; one reload each, then Bob", async () => {
		const page = await demo.openSideBySide(query);
		await page.getByRole("button", { name: "Identity switch", exact: true }).click();
		const state = await sideBySideDone(page);
		console.log(`[side-by-side, ${mode}, identity switch] ${state.verdict}`);

		expect(state).toMatchObject({ mode, scenario: "switch", timedOut: false });
		expect(state.frames.naive.toasts, "error toasts in the naive frame").toBeGreaterThan(0);
		expect(state.frames.naive).toMatchObject({ reloads: 1, view: "workspace", user: "bob" });
		expect(state.frames.tokenflight).toMatchObject({ toasts: 0, reloads: 1, view: "workspace", user: "bob" });
		// The verdict line says it in words.
		const verdict = page.getByRole("status");
		await expect.poll(() => verdict.textContent()).toContain(`naive: ${state.frames.naive.toasts} error toasts, 1 reload`);
		expect(await verdict.textContent()).toContain("tokenflight: 0 error toasts, 1 reload");
		await screenshot(page, `side-by-side-${mode}-identity-switch`);
	});

	it("one endpoint keeps answering 401 (seed 002): tokenflight reloads at most twice, then signs out; the naive frame's loop is capped", async () => {
		const page = await demo.openSideBySide(query);
		await page.getByRole("button", { name: "One endpoint keeps answering 401", exact: true }).click();
		const state = await sideBySideDone(page, 75_000);
		console.log(`[side-by-side, ${mode}, seed 002] ${state.verdict}`);

		expect(state).toMatchObject({ mode, scenario: "embedded", timedOut: false });
		expect(state.frames.tokenflight.reloads).toBeGreaterThanOrEqual(1);
		expect(state.frames.tokenflight.reloads).toBeLessThanOrEqual(2);
		expect(state.frames.tokenflight).toMatchObject({ toasts: 0, view: "signedOut", session: "signedOut", capped: false });
		// Every load of the naive frame ends in the same 401 and another reload, until the page's cap stops it.
		expect(state.frames.naive).toMatchObject({ capped: true, reloads: 5 });
		expect(state.frames.naive.toasts).toBeGreaterThanOrEqual(state.frames.naive.reloads);
		const verdict = await page.getByRole("status").textContent();
		expect(verdict).toContain("stopped by the demo (it would reload forever)");
		expect(verdict).toContain(`tokenflight: 0 error toasts, ${state.frames.tokenflight.reloads} reload`);
		expect(verdict).toContain("then signed out");
		await screenshot(page, `side-by-side-${mode}-seed002`);
	});
});
