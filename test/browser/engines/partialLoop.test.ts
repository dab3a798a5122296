import { describe, expect, it } from "vitest";
import { engines } from "../../helpers/browser/driver.js";
import { count, demoState, persistedCounters, ready, requestLog, screenshot, sleep, until, useDemo } from "./demo.js";

/** The default reload guard's budget. */
const maxAttempts = 2;

// Seed 002's real shape: with one and the same credential, the dashboard answers 200 on every load and the
// embedded app's session refresh (GET /api/auth/refresh-keycloak-session) answers 401 on every load. The
// reauthenticate is tokenflight's default, a bare location.reload() that keeps the stored credentials, and the
// guard is the default one. A 200 for the credential that died is no proof of recovery: the guard must still
// stop after maxAttempts reloads and sign the session out.
describe.each(engines())("partial 401 loop (%s)", (engine) => {
	const demo = useDemo(engine);

	it.each([
		{ mode: "bearer", query: "?reauth=default" },
		{ mode: "cookie", query: "?reauth=default&mode=cookie" },
	])(`a 401 that comes back on every load while another call keeps answering 200 ($mode): reloads at most ${maxAttempts} times, then signs out and stays put`, async ({ mode, query }) => {
		const page = await demo.open(query);
		expect(await demoState(page)).toMatchObject({ view: "workspace", user: "alice", session: { status: "authenticated" } });
		// The demo's request log (every /api/ request as it left the page, across reloads) from here on.
		const logged = (await requestLog(page)).length;
		const loadsBefore = page.loads();
		const reloads = () => page.loads() - loadsBefore;

		await page.click({ role: "button", name: "Embedded app 401, dashboard 200" });
		// Bounded either way: the page ends on the sign-in screen, or it has reloaded more often than the guard allows.
		await until(async () => reloads() > maxAttempts || (await demoState(page)).view === "signedOut", "the page to sign out or to exceed the guard", 30_000);
		expect(reloads(), `reloads after the first 401 (a loop goes on past ${maxAttempts})`).toBeLessThanOrEqual(maxAttempts);
		await ready(page);

		// A loop would have reloaded again by now.
		const settledLoads = page.loads();
		await sleep(4_000);
		expect(page.loads(), "loads after signing out").toBe(settledLoads);

		const state = await demoState(page);
		expect(state).toMatchObject({ view: "signedOut", session: { status: "signedOut" }, toastsTotal: 0 });
		expect(reloads()).toBeGreaterThanOrEqual(1);
		expect(state.reloads).toBe(reloads());

		// The shape really was seed 002's: one credential, the dashboard 200 on every load, the check 401 on every load.
		const counters = await persistedCounters(page);
		expect(count(counters, "auth.info", 200)).toBeGreaterThanOrEqual(1 + reloads());
		const checks = await page.evaluate(() => JSON.parse(localStorage.getItem("demo:embedded-app") ?? "null") as { checks: Record<string, number> } | null);
		expect(checks?.checks).toEqual({ 401: 1 + reloads() });
		// Bearer: the access token. Cookie mode: the CSRF value, sent on the dashboard's POSTs (the check is a GET).
		const seen = (await requestLog(page))
			.slice(logged)
			.filter((entry) => entry.path === "/api/auth.info" || entry.path === "/api/auth/refresh-keycloak-session")
			.map((entry) => ({ path: entry.path, credential: entry.authorization ?? entry.csrf ?? undefined }));
		const credentials = new Set(seen.map((entry) => entry.credential).filter((credential) => credential !== undefined));
		expect(credentials.size, "distinct credentials on the dashboard and the check").toBe(1);
		expect(seen.filter((entry) => entry.path === "/api/auth.info").length).toBeGreaterThanOrEqual(reloads());

		await screenshot(page, `partial-loop-${mode}`);
	});
});
