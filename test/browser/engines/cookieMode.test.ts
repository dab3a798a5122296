import { describe, expect, it } from "vitest";
import { engines } from "../../helpers/browser/driver.js";
import { count, demoState, persistedCounters, requestLog, screenshot, until, useDemo } from "./demo.js";

describe.each(engines())("cookie mode (%s)", (engine) => {
	const demo = useDemo(engine);

	it("sends the CSRF cookie's value in x-csrf-token on unsafe requests; a POST without it is refused", async () => {
		const page = await demo.open("?mode=cookie");
		const cookies = await page.cookies();
		const csrf = cookies.find((cookie) => cookie.name === "csrfToken");
		expect(csrf?.value).toMatch(/^csrf_/);

		await page.click({ role: "button", name: "New document" });
		await until(async () => (await demoState(page)).documents === 4, "the new document to show");
		// What the request carried as it left the page, as the demo's request log recorded it.
		const creates = (await requestLog(page)).filter((entry) => entry.path === "/api/documents.create");
		expect(creates).toEqual([expect.objectContaining({ method: "POST", csrf: csrf?.value })]);

		const withoutCsrf = await page.evaluate(() =>
			fetch("/api/documents.create", { method: "POST", credentials: "include", body: JSON.stringify({ title: "forged" }) }).then((response) => response.status),
		);
		const safeWithoutCsrf = await page.evaluate(() => fetch("/api/auth.info", { credentials: "include" }).then((response) => response.status));

		expect(withoutCsrf).toBe(403);
		expect(safeWithoutCsrf).toBe(200);
		const counters = await persistedCounters(page);
		expect(count(counters, "documents.create", 200)).toBe(1);
		expect(count(counters, "documents.create", 403)).toBe(1);
		expect(await demoState(page)).toMatchObject({ toastsTotal: 0, user: "alice" });
		await screenshot(page, "cookie-mode");
	});
});
