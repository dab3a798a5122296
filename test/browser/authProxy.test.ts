import { describe, expect, it } from "vitest";
import type { DemoPage, Sent } from "../helpers/browser/demoBrowser.js";
import { demoState, logLines, outsideCounters, ready, recordRequests, screenshot, settledIn, toastsBeforeReload, until, useDemoBrowser } from "../helpers/browser/demoBrowser.js";

const demo = useDemoBrowser();

/** The default reload guard's budget. */
const maxAttempts = 2;

/**
 * tokenflight's probes: the app calls `auth.info` and `documents.list` with POST only, so a GET there is the bodiless
 * `redirect: "manual"` GET that answeredFromOutside() sends after a network error.
 */
function isProbe(request: Sent): boolean {
	return request.method === "GET" && (request.path === "/api/auth.info" || request.path === "/api/documents.list");
}

/**
 * Fetches that failed with a network error in the page. Not ERR_ABORTED: with a Service Worker answering, Chromium
 * reports an opaque redirect (a probe, a CSRF-carrying POST) as a follow-up request that was aborted.
 */
function recordFailures(tab: DemoPage): string[] {
	const failures: string[] = [];
	tab.page.on("requestfailed", (request) => {
		const error = request.failure()?.errorText ?? "?";
		if (request.resourceType() !== "document" && error !== "net::ERR_ABORTED") failures.push(`${request.method()} ${new URL(request.url()).pathname}: ${error}`);
	});
	return failures;
}

// An auth proxy (oauth2-proxy, Traefik ForwardAuth) whose own session expired redirects every API call to its
// login, which sends it on to the IdP on another origin (a second port of demo/serve.mjs). fetch follows, the IdP
// sends no CORS headers, and the page sees only a network error. answeredFromOutside() probes the failed URL with
// `redirect: "manual"`, finds the redirect, and the session takes the once-only path a 401 takes: one reload.
// The reauthenticate is the demo's: a reload 600 ms after the session ended, which marks itself. Not `?reauth=default`
// (tokenflight's own, an immediate location.reload()): there the reload's navigation renews the proxy's session while
// the old page still runs, a call that failed before it is probed after it, the probe shows no redirect, and that
// call rejects with its NetworkError although the session is re-authenticating: a toast, in about half the runs.
describe.each([
	{ name: "bearer", mode: "bearer", query: "" },
	{ name: "cookie", mode: "cookie", query: "?mode=cookie" },
] as const)("auth proxy session expired, login on another origin ($name)", ({ name, mode, query }) => {
	it("a page behind the proxy: one reload through the IdP renews it, no toast, the same user", async () => {
		const tab = await demo.open(query);
		const idpBefore = demo.server.idpStats();
		const sent = recordRequests(tab);
		const failures = recordFailures(tab);

		await tab.page.getByRole("button", { name: "Auth proxy session expires", exact: true }).click();
		expect(await toastsBeforeReload(tab, 1), "error toasts before the reload").toBe(0);
		const after = await settledIn(tab, "workspace", 2, 12_000);
		// Long enough for a second reload, or a late toast, to show up.
		await tab.page.waitForTimeout(1_500);

		const state = await demoState(tab.page);
		const outside = await outsideCounters(tab.page);
		const idp = demo.server.idpStats();
		const firstPage = sent.filter((request) => request.load === 1);
		const log = await logLines(tab.page);
		const probes = firstPage.filter(isProbe).length;
		console.log(
			`[auth proxy, ${name}] loads ${tab.loads()}, reloads ${state.reloads}, toasts ${state.toastsTotal}, requests before the reload ${firstPage.length} ` +
				`(${firstPage.filter((request) => request.method === "POST").length} POST, ${firstPage.filter((request) => request.method === "GET").length} GET, of which ${probes} probes), ` +
				`proxy redirects ${outside.proxyRedirects}, IdP navigations ${idp.authorizeNavigations - idpBefore.authorizeNavigations}, ` +
				`IdP fetches ${idp.authorizeFetches - idpBefore.authorizeFetches} from ${idp.origins.join(" ")}, network errors in the page ${failures.length} (${[...new Set(failures)].join("; ")})`,
		);

		expect(tab.loads(), "one reload").toBe(2);
		expect(after).toMatchObject({ view: "workspace", user: "alice", reloads: 1, toastsTotal: 0 });
		expect(state).toMatchObject({ view: "workspace", user: "alice", reloads: 1, toastsTotal: 0, session: { status: "authenticated", identity: "alice" } });
		expect(outside.proxyExpired, "the reload went through the IdP and renewed the proxy's session").toBe(false);
		expect(idp.authorizeNavigations - idpBefore.authorizeNavigations, "navigations through the IdP").toBe(1);
		// The calls really crossed to the other origin, and the browser refused the answers there (no CORS headers).
		expect(idp.authorizeFetches - idpBefore.authorizeFetches).toBeGreaterThanOrEqual(1);
		expect(failures.length).toBeGreaterThanOrEqual(1);
		expect(firstPage.filter((request) => request.method === "POST").length, "POSTs in flight").toBe(9);
		// Bearer: every call follows the redirects to the IdP and fails on CORS, and only the probe shows the redirect.
		// Cookie mode: the POSTs carry the CSRF header, so tokenflight sends them with redirect: "manual", and their
		// opaque redirect says it before any probe is needed (the one GET is still in ky's retries by then).
		if (mode === "bearer") expect(probes, "probes").toBeGreaterThanOrEqual(1);
		else expect(probes, "probes").toBe(0);
		expect(log).toContainEqual(expect.stringMatching(/^reloading the page \(answered-from-outside[,)]/));
		expect(log).toContainEqual("0 error toasts shown before the last reload");
		await screenshot(tab.page, `auth-proxy-${name}-recovered`);
	});

	it(`only the API behind the proxy (?authProxy=api): a reload renews nothing; ${maxAttempts} reloads, then signed out, no toast`, async () => {
		const tab = await demo.open(`${query === "" ? "?" : `${query}&`}authProxy=api`);
		const idpBefore = demo.server.idpStats();
		const loadsBefore = tab.loads();
		const reloads = () => tab.loads() - loadsBefore;

		await tab.page.getByRole("button", { name: "Auth proxy session expires", exact: true }).click();
		expect(await toastsBeforeReload(tab, loadsBefore), "error toasts before the first reload").toBe(0);
		await until(async () => reloads() > maxAttempts || (await demoState(tab.page)).view === "signedOut", "the page to sign out or to exceed the guard", 15_000);
		expect(reloads(), `reloads (a loop goes on past ${maxAttempts})`).toBeLessThanOrEqual(maxAttempts);
		await ready(tab.page);
		// A loop would have reloaded again by now.
		const settledLoads = tab.loads();
		await tab.page.waitForTimeout(2_500);

		const state = await demoState(tab.page);
		const outside = await outsideCounters(tab.page);
		const idp = demo.server.idpStats();
		console.log(
			`[auth proxy api-only, ${name}] reloads ${reloads()}, toasts ${state.toastsTotal}, view ${state.view}, reason ${state.session.reason}, ` +
				`proxy redirects ${outside.proxyRedirects}, IdP navigations ${idp.authorizeNavigations - idpBefore.authorizeNavigations}, IdP fetches ${idp.authorizeFetches - idpBefore.authorizeFetches}`,
		);

		expect(tab.loads(), "loads after signing out").toBe(settledLoads);
		expect(reloads()).toBe(maxAttempts);
		expect(state).toMatchObject({ view: "signedOut", reloads: maxAttempts, toastsTotal: 0, session: { status: "signedOut", reason: "answered-from-outside" } });
		expect(outside.proxyExpired, "nothing renewed the proxy's session").toBe(true);
		expect(idp.authorizeNavigations - idpBefore.authorizeNavigations, "navigations through the IdP").toBe(0);
		await tab.page.getByRole("heading", { name: "You're signed out" }).waitFor();
		await screenshot(tab.page, `auth-proxy-${name}-api-only-signed-out`);
	});
});
