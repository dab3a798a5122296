import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { DemoPage } from "../helpers/browser/demoBrowser.js";
import { count, demoState, logLines, outsideCounters, persistedCounters, ready, recordRequests, screenshot, settledIn, toastsBeforeReload, until, useDemoBrowser } from "../helpers/browser/demoBrowser.js";

const demo = useDemoBrowser();

async function switchToNaive(tab: DemoPage): Promise<void> {
	await tab.page.getByRole("radio", { name: "naive ky client" }).click();
	await settledIn(tab, "workspace", 2);
	await ready(tab.page);
}

function userName(page: Page): Promise<string | null> {
	return page.locator("#user-name").textContent();
}

// Seed 001 (the SSO fork of Outline's ApiClient): the portal logs everyone out and signs someone else in; back in
// the tab, every request in flight meets the replaced session. The fork's server said 401; the other shape of the
// same incident is a server that redirects the stale session to its home page, and fetch follows it to a 200 HTML
// page. tokenflight with `sessionEnded: answeredFromOutside()` treats both alike: no toast, one reload, the new user.
// The demo's reauthenticate is a reload that marks itself (the next load signs in through the portal again);
// `?reauth=default` is tokenflight's own default, a bare location.reload().
describe.each([
	{ name: "bearer", mode: "bearer", query: "" },
	{ name: "cookie", mode: "cookie", query: "?mode=cookie" },
	{ name: "bearer-default-reauth", mode: "bearer", query: "?reauth=default" },
] as const)("seed 001 with tokenflight, $name", ({ name, mode, query }) => {
	it.each([
		{ shape: "401", button: "Switch identity" },
		{ shape: "302 → /home", button: "Switch identity, 302 → /home" },
	] as const)("tokenflight, server answers $shape: 10 requests in flight, no toast, one reload, the new user", async ({ shape, button }) => {
		const tab = await demo.open(query);
		expect(await userName(tab.page)).toBe("Alice Chen");
		const sent = recordRequests(tab);
		const homeBefore = demo.server.hits("/home");

		await tab.page.getByRole("button", { name: button, exact: true }).click();
		expect(await toastsBeforeReload(tab, 1), "error toasts before the reload").toBe(0);
		const after = await settledIn(tab, "workspace", 2, 12_000);
		// Long enough for a second reload, or a late toast, to show up.
		await tab.page.waitForTimeout(1_500);

		const apiCalls = sent.filter((request) => request.load === 1);
		const followed = demo.server.hits("/home") - homeBefore;
		const counters = await persistedCounters(tab.page);
		const unauthorized = count(counters, "auth.info", 401) + count(counters, "documents.list", 401);
		const outside = await outsideCounters(tab.page);
		const state = await demoState(tab.page);
		console.log(
			`[seed 001, ${name}, ${shape}] loads ${tab.loads()}, reloads ${state.reloads}, toasts ${state.toastsTotal}, ` +
				`API calls before the reload ${apiCalls.length}, ${apiCalls.filter((request) => request.method === "POST").length} POST, followed to /home ${followed}, ` +
				`server 401s ${unauthorized}, 302 → /home ${outside.staleRedirects}, user ${state.user}`,
		);

		expect(apiCalls.length, "API calls in flight when the switch is noticed").toBe(10);
		expect(tab.loads()).toBe(2);
		expect(after).toMatchObject({ user: "bob", reloads: 1, toastsTotal: 0 });
		expect(state).toMatchObject({ view: "workspace", user: "bob", reloads: 1, toastsTotal: 0, session: { status: "authenticated", identity: "bob" } });
		expect(await userName(tab.page)).toBe("Bob Rivera");
		expect(await logLines(tab.page)).toContainEqual("0 error toasts shown before the last reload");
		// Every call met the replaced session: the server said 401 to all ten. With tokenflight's default, an immediate
		// reload, the page may go before the mock backend in it has answered them all.
		if (name === "bearer-default-reauth") expect(unauthorized).toBeGreaterThanOrEqual(1);
		else expect(unauthorized).toBe(10);
		expect(unauthorized).toBeLessThanOrEqual(10);
		if (shape === "401") {
			expect(outside.staleRedirects).toBe(0);
		} else {
			// ...and each of those 401s went out as 302 → /home.
			expect(outside.staleRedirects).toBe(unauthorized);
			// Bearer: fetch follows every redirect to the HTML page. Cookie mode: the POSTs carry the CSRF header, so
			// tokenflight sends them with redirect: "manual" and they end as an opaque redirect; only the GET follows.
			if (mode === "cookie") expect(followed, "redirects fetch followed to /home").toBe(1);
			else if (name === "bearer") expect(followed, "redirects fetch followed to /home").toBe(10);
			else expect(followed, "redirects fetch followed to /home").toBeLessThanOrEqual(unauthorized);
		}
		await screenshot(tab.page, `seed001-${name}-${shape === "401" ? "401" : "302-home"}-tokenflight`);
	});
});

// The same 302 → /home with the naive ky client (Outline's ApiClient before the fix): nothing in it says 401.
describe.each([
	{ name: "bearer", query: "" },
	{ name: "cookie", query: "?mode=cookie" },
] as const)("seed 001 with the naive ky client, $name", ({ name, query }) => {
	it("the naive ky client, server answers 302 → /home: the HTML is parsed as JSON, a toast per request, no reload, the old user stays", async () => {
		const tab = await demo.open(query);
		await switchToNaive(tab);
		const loadsBefore = tab.loads();
		const sent = recordRequests(tab);
		const homeBefore = demo.server.hits("/home");

		await tab.page.getByRole("button", { name: "Switch identity, 302 → /home", exact: true }).click();
		await until(async () => (await demoState(tab.page)).toastsTotal >= 10, "a toast per request in flight");
		await tab.page.waitForTimeout(300);
		await screenshot(tab.page, `seed001-${name}-302-home-naive`);
		// A reload, or a late toast, would show up by now.
		await tab.page.waitForTimeout(1_200);

		const state = await demoState(tab.page);
		const outside = await outsideCounters(tab.page);
		const followed = demo.server.hits("/home") - homeBefore;
		const log = await logLines(tab.page);
		console.log(
			`[seed 001, ${name}, 302 → /home, naive] reloads ${tab.loads() - loadsBefore}, toasts ${state.toastsTotal}, on screen ${state.toastsOnScreen}, ` +
				`API calls ${sent.length}, followed to /home ${followed}, 302 → /home ${outside.staleRedirects}, ` +
				`user shown ${state.user}, toasts: ${[...new Set(log.filter((line) => line.startsWith("toast:")))].join(" | ")}`,
		);

		expect(tab.loads() - loadsBefore, "reloads: nothing in the answer says 401").toBe(0);
		expect(state.toastsTotal).toBe(10);
		expect(outside.staleRedirects).toBe(10);
		// The naive client never asks for manual redirects: every one is followed to the HTML page, cookie mode too.
		expect(followed, "redirects fetch followed to /home").toBe(10);
		expect(log).toContainEqual("toast: Failed to load your profile");
		expect(log).toContainEqual("toast: Failed to load documents");
		// The page still shows the old user's workspace: Bob's data never arrived, and nothing noticed Alice is gone.
		expect(state).toMatchObject({ view: "workspace", user: "alice" });
		expect(await userName(tab.page)).toBe("Alice Chen");
	});
});
