import { describe, expect, it } from "vitest";
import { count, demoState, persistedCounters, screenshot, until, useDemoBrowser } from "./helpers/demoBrowser.js";

const demo = useDemoBrowser();

describe("cookie mode", () => {
	it("sends the CSRF cookie's value in x-csrf-token on unsafe requests; a POST without it is refused", async () => {
		const tab = await demo.open("?mode=cookie");
		const cookies = await demo.context.cookies();
		const csrf = cookies.find((cookie) => cookie.name === "csrfToken");
		expect(csrf?.value).toMatch(/^csrf_/);

		const sent = tab.page.waitForRequest((request) => request.url().endsWith("/api/documents.create"));
		await tab.page.getByRole("button", { name: "New document" }).click();
		expect((await sent).headers()["x-csrf-token"]).toBe(csrf?.value);
		await until(async () => (await demoState(tab.page)).documents === 4, "the new document to show");

		const withoutCsrf = await tab.page.evaluate(() =>
			fetch("/api/documents.create", { method: "POST", credentials: "include", body: JSON.stringify({ title: "forged" }) }).then((response) => response.status),
		);
		const safeWithoutCsrf = await tab.page.evaluate(() => fetch("/api/auth.info", { credentials: "include" }).then((response) => response.status));

		expect(withoutCsrf).toBe(403);
		expect(safeWithoutCsrf).toBe(200);
		const counters = await persistedCounters(tab.page);
		expect(count(counters, "documents.create", 200)).toBe(1);
		expect(count(counters, "documents.create", 403)).toBe(1);
		expect(await demoState(tab.page)).toMatchObject({ toastsTotal: 0, user: "alice" });
		await screenshot(tab.page, "cookie-mode");
	});
});
