import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { count, demoState, persistedCounters, screenshot, settledIn, until, useDemoBrowser, watch } from "./helpers/demoBrowser.js";
import type { DemoPage, PersistedCounters } from "./helpers/demoBrowser.js";

const demo = useDemoBrowser();

type DemoWindow = {
	demo: {
		burst(count: number): Promise<{ ok: number; failed: number }>;
		refetch(): Promise<void>;
		backend: { expireAccessTokens(): void; setLatency(route: string, ms: number): void };
	};
};

/**
 * IndexedDB orders a read after the previous lock holder's write; localStorage does not (a tab granted the lock
 * can still read the refresh token just rotated away). The IndexedDB store is the recommended one and the
 * default here; the localStorage run proves the core's defence for that case: the holder announces the
 * rotated token's fingerprint and keeps the lock a moment, and the next holder waits for its copy to catch up.
 */
const consistentStore = "?store=idb";

/** The first tab signs in through the portal; the others pick the stored session up, as tabs opened later do. */
async function openTabs(count: number, query = ""): Promise<DemoPage[]> {
	const first = await demo.open(query);
	const tabs = [first];
	for (let i = 1; i < count; i++) tabs.push(await demo.open(query));
	for (const tab of tabs) expect((await demoState(tab.page)).user).toBe("alice");
	return tabs;
}

/** A tab that re-authenticates mid-burst reloads, which ends the evaluation: say so instead of throwing. */
function burst(page: Page, count: number): Promise<{ ok: number; failed: number } | "reloaded mid-burst"> {
	return page.evaluate((n) => (window as unknown as DemoWindow).demo.burst(n), count).catch(() => "reloaded mid-burst" as const);
}

function unauthorizedTotal(counters: PersistedCounters): number {
	return Object.keys(counters.requests).reduce((sum, route) => sum + count(counters, route, 401), 0);
}

// Issue 5: several tabs share one token store; they must behave as one client towards the token endpoint.
describe("tabs", () => {
	async function burstInFourTabs(query: string) {
		const tabs = await openTabs(4, query);
		const [first] = tabs;
		if (!first) throw new Error("no tab");
		const before = await persistedCounters(first.page);
		await first.page.evaluate(() => (window as unknown as DemoWindow).demo.backend.expireAccessTokens());

		const results = await Promise.all(tabs.map((tab) => burst(tab.page, 25)));

		const after = await persistedCounters(first.page);
		expect({ results, refreshCalls: after.refreshCalls - before.refreshCalls, reuseDetections: after.reuseDetections }).toEqual({
			results: Array.from({ length: 4 }, () => ({ ok: 25, failed: 0 })),
			refreshCalls: 1,
			reuseDetections: 0,
		});
		for (const tab of tabs) expect(await demoState(tab.page)).toMatchObject({ toastsTotal: 0, reloads: 0 });
		return first.page;
	}

	it("4 tabs × 25 requests on an expired shared token: one refresh call, no reuse detection", async () => {
		await screenshot(await burstInFourTabs(consistentStore), "tabs-burst");
	});

	it("the same with storageTokenStore(localStorage), three times in a row", async () => {
		for (let run = 0; run < 3; run++) {
			await burstInFourTabs("");
			for (const page of demo.context.pages()) await page.close();
		}
	});

	it("logout in one tab signs the others out without a failed request", async () => {
		const tabs = await openTabs(3);
		const [first, ...others] = tabs;
		if (!first) throw new Error("no tab");
		const before = await persistedCounters(first.page);

		await first.page.getByRole("button", { name: "Log out" }).click();
		for (const tab of others) await tab.page.getByRole("heading", { name: "You're signed out" }).waitFor({ timeout: 10_000 });
		await first.page.waitForTimeout(500);

		const after = await persistedCounters(first.page);
		expect(unauthorizedTotal(after)).toBe(unauthorizedTotal(before));
		for (const tab of others) {
			expect(await demoState(tab.page)).toMatchObject({ view: "signedOut", toastsTotal: 0, session: { status: "signedOut", reason: "signed-out-elsewhere" } });
			expect(tab.loads()).toBe(1);
		}
		await screenshot(others[0]!.page, "tabs-logout");
	});

	it("an identity switch in one tab reloads every tab once, without an error toast", async () => {
		const tabs = await openTabs(3);
		const [first] = tabs;
		if (!first) throw new Error("no tab");

		await first.page.getByRole("button", { name: "Switch identity", exact: true }).click();
		const states = await Promise.all(tabs.map((tab) => settledIn(tab, "workspace", 2)));
		await first.page.waitForTimeout(1_500);

		for (const [i, tab] of tabs.entries()) {
			expect(tab.loads(), `loads of tab ${i + 1}`).toBe(2);
			expect(states[i]).toMatchObject({ user: "bob", reloads: 1 });
			expect((await demoState(tab.page)).toastsTotal).toBe(0);
		}
		await screenshot(tabs[1]!.page, "tabs-identity-switch");
	});

	it("a tab closed in the middle of its refresh does not block the others beyond the lock bound", async () => {
		const tabs = await openTabs(3, consistentStore);
		const [closing, ...others] = tabs;
		if (!closing) throw new Error("no tab");
		await closing.page.evaluate(() => {
			const { backend } = (window as unknown as DemoWindow).demo;
			backend.setLatency("token", 3_000);
			backend.expireAccessTokens();
		});
		const before = await persistedCounters(closing.page);

		// The closing tab takes the refresh lock and sends its refresh; the others queue behind the lock.
		void closing.page.evaluate(() => void (window as unknown as DemoWindow).demo.refetch());
		await until(async () => (await persistedCounters(closing.page)).refreshCalls > before.refreshCalls, "the first tab's refresh to reach the token endpoint");
		const pending = others.map((tab) => burst(tab.page, 5));
		await others[0]!.page.waitForTimeout(500);
		const closedAt = Date.now();
		await closing.page.close();

		const results = await Promise.all(pending);
		const waited = Date.now() - closedAt;

		expect(results).toEqual([
			{ ok: 5, failed: 0 },
			{ ok: 5, failed: 0 },
		]);
		// One more refresh (3 s of latency) after the close, well inside the 15 s lock bound.
		expect(waited).toBeLessThan(10_000);
		const after = await persistedCounters(others[0]!.page);
		expect(after.reuseDetections).toBe(0);
		expect(after.refreshSuccesses - before.refreshSuccesses).toBe(1);
		for (const tab of others) expect(await demoState(tab.page)).toMatchObject({ toastsTotal: 0, reloads: 0 });
		await screenshot(others[0]!.page, "tabs-closed-mid-refresh");
	});

	it("the Open second tab button opens a tab on the same session", async () => {
		const [first] = await openTabs(1);
		if (!first) throw new Error("no tab");
		const opened = demo.context.waitForEvent("page");
		await first.page.getByRole("button", { name: "Open second tab" }).click();
		const second = await watch(await opened, async () => {});
		expect(await demoState(second.page)).toMatchObject({ view: "workspace", user: "alice", pageLoads: 1 });
	});
});
