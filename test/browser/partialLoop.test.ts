import type { Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { count, demoState, persistedCounters, ready, screenshot, until, useDemoBrowser } from "./helpers/demoBrowser.js";

const demo = useDemoBrowser();

/** The default reload guard's budget. */
const maxAttempts = 2;

type Seen = { path: string; credential: string | undefined };

/** The credential each dashboard call and each session check went out with, across every load of the page. */
function recordCredentials(request: Request, seen: Seen[]): void {
	const { pathname } = new URL(request.url());
	if (pathname !== "/api/auth.info" && pathname !== "/api/auth/refresh-keycloak-session") return;
	const headers = request.headers();
	// Bearer: the access token. Cookie mode: the CSRF value, sent on the dashboard's POSTs (the check is a GET).
	seen.push({ path: pathname, credential: headers.authorization ?? headers["x-csrf-token"] });
}

// Seed 002's real shape: with one and the same credential, the dashboard answers 200 on every load and the
// embedded app's session refresh (GET /api/auth/refresh-keycloak-session) answers 401 on every load. The
// reauthenticate is tokenflight's default, a bare location.reload() that keeps the stored credentials, and the
// guard is the default one. A 200 for the credential that died is no proof of recovery: the guard must still
// stop after maxAttempts reloads and sign the session out.
describe.each([
	{ mode: "bearer", query: "?reauth=default" },
	{ mode: "cookie", query: "?reauth=default&mode=cookie" },
])("a 401 that comes back on every load while another call keeps answering 200 ($mode)", ({ mode, query }) => {
	it(`reloads at most ${maxAttempts} times, then signs out and stays put`, async () => {
		const tab = await demo.open(query);
		expect(await demoState(tab.page)).toMatchObject({ view: "workspace", user: "alice", session: { status: "authenticated" } });
		const seen: Seen[] = [];
		tab.page.on("request", (request) => recordCredentials(request, seen));
		const loadsBefore = tab.loads();
		const reloads = () => tab.loads() - loadsBefore;

		await tab.page.getByRole("button", { name: "Embedded app 401, dashboard 200" }).click();
		// Bounded either way: the page ends on the sign-in screen, or it has reloaded more often than the guard allows.
		await until(async () => reloads() > maxAttempts || (await demoState(tab.page)).view === "signedOut", "the page to sign out or to exceed the guard", 30_000);
		expect(reloads(), `reloads after the first 401 (a loop goes on past ${maxAttempts})`).toBeLessThanOrEqual(maxAttempts);
		await ready(tab.page);

		// A loop would have reloaded again by now.
		const settledLoads = tab.loads();
		await tab.page.waitForTimeout(4_000);
		expect(tab.loads(), "loads after signing out").toBe(settledLoads);

		const state = await demoState(tab.page);
		expect(state).toMatchObject({ view: "signedOut", session: { status: "signedOut" }, toastsTotal: 0 });
		expect(reloads()).toBeGreaterThanOrEqual(1);
		expect(state.reloads).toBe(reloads());

		// The shape really was seed 002's: one credential, the dashboard 200 on every load, the check 401 on every load.
		const counters = await persistedCounters(tab.page);
		expect(count(counters, "auth.info", 200)).toBeGreaterThanOrEqual(1 + reloads());
		const checks = await tab.page.evaluate(() => JSON.parse(localStorage.getItem("demo:embedded-app") ?? "null") as { checks: Record<string, number> } | null);
		expect(checks?.checks).toEqual({ 401: 1 + reloads() });
		const credentials = new Set(seen.map((entry) => entry.credential).filter((credential) => credential !== undefined));
		expect(credentials.size, "distinct credentials on the dashboard and the check").toBe(1);
		expect(seen.filter((entry) => entry.path === "/api/auth.info").length).toBeGreaterThanOrEqual(reloads());

		await screenshot(tab.page, `partial-loop-${mode}`);
	});
});
