import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clientTabs, minute } from "../helpers/lifetimeTabs.js";

let tabs: ReturnType<typeof clientTabs>;
beforeEach(() => {
	vi.useFakeTimers({ now: new Date("2026-12-06T09:00:00Z") });
});
afterEach(() => tabs.dispose());

/** The lifetime's chunk is imported on demand: real module loading, which fake timers do not move. */
async function loaded() {
	await vi.dynamicImportSettled();
	await vi.advanceTimersByTimeAsync(0);
}

const idle = { timeoutMs: 10 * minute, warnBeforeMs: minute, activityTarget: null };

describe("client.lifetime across tabs", () => {
	it("should sign every tab out once with reason idle: onSessionEnded sees it, the store is cleared, the snapshot is empty", async () => {
		tabs = clientTabs({ idle });
		const a = tabs.open();
		const b = tabs.open();
		await loaded();
		expect(a.client.lifetime.getSnapshot().idleDeadline).toBe(Date.now() + 10 * minute);
		await vi.advanceTimersByTimeAsync(10 * minute + 1_000);
		expect([a.signedOut, b.signedOut]).toEqual([["idle"], ["idle"]]);
		expect([a.policy, b.policy]).toEqual([["idle"], ["idle"]]);
		expect([a.client.session.getSnapshot(), b.client.session.getSnapshot()]).toEqual([
			{ status: "signedOut", reason: "idle", identity: undefined },
			{ status: "signedOut", reason: "idle", identity: undefined },
		]);
		expect(await tabs.store.get()).toBeNull();
		expect(b.client.lifetime.getSnapshot()).toEqual({ idleDeadline: undefined, absoluteDeadline: undefined, warning: null });
	});

	it("should keep tab B signed in while tab A makes requests", async () => {
		tabs = clientTabs({ idle });
		const a = tabs.open();
		const b = tabs.open();
		await loaded();
		for (let i = 0; i < 4; i++) {
			await vi.advanceTimersByTimeAsync(7 * minute);
			await a.client.get("me");
		}
		await vi.advanceTimersByTimeAsync(2_000);
		expect(b.signedOut).toEqual([]);
		expect(b.client.lifetime.getSnapshot().idleDeadline).toBe(a.client.lifetime.getSnapshot().idleDeadline);
	});

	it("should dismiss the warning in every tab when one stays signed in, refreshing once in that tab only", async () => {
		tabs = clientTabs({ idle });
		const a = tabs.open();
		const b = tabs.open();
		await loaded();
		await vi.advanceTimersByTimeAsync(9 * minute + 1);
		expect([a.client.lifetime.getSnapshot().warning, b.client.lifetime.getSnapshot().warning]).toEqual(["idle", "idle"]);
		const stayed = Promise.all([b.client.staySignedIn(), b.client.staySignedIn()]);
		await vi.advanceTimersByTimeAsync(100);
		await stayed;
		expect([a.client.lifetime.getSnapshot().warning, b.client.lifetime.getSnapshot().warning]).toEqual([null, null]);
		expect(tabs.refresh).toHaveBeenCalledTimes(1);
		expect(a.events.filter((event) => event.type.startsWith("refresh."))).toEqual([]);
		await vi.advanceTimersByTimeAsync(5 * minute);
		expect([a.signedOut, b.signedOut]).toEqual([[], []]);
	});

	it("should end the session at the absolute limit a refresh brought (refresh_expires_in) with reason expired", async () => {
		tabs = clientTabs({ absolute: {} });
		tabs.refresh.mockImplementation(async () => ({ accessToken: "at-1", refreshToken: "rt-1", refreshExpiresAt: Date.now() + 30 * minute }));
		const a = tabs.open();
		const b = tabs.open();
		await loaded();
		void a.client.staySignedIn();
		await vi.advanceTimersByTimeAsync(100);
		expect(b.client.lifetime.getSnapshot().absoluteDeadline).toBe(a.client.lifetime.getSnapshot().absoluteDeadline);
		await vi.advanceTimersByTimeAsync(29 * minute);
		expect(b.client.lifetime.getSnapshot().warning).toBe("absolute");
		await vi.advanceTimersByTimeAsync(minute + 1_000);
		expect([a.signedOut, b.signedOut]).toEqual([["expired"], ["expired"]]);
	});

	it("should never send the old credentials again after an idle sign-out, not even a request stalled or retried", async () => {
		tabs = clientTabs({ idle, ky: { retry: { limit: 2, statusCodes: [503], delay: () => 2 * minute } } });
		let first = true;
		tabs.api.state.route = () => (first ? ((first = false), new Response(null, { status: 503 })) : Response.json({ ok: true }));
		const a = tabs.open();
		await loaded();
		await vi.advanceTimersByTimeAsync(9 * minute);
		const pending = a.client.get("me").then(
			() => "fulfilled",
			(error: { name: string }) => error.name,
		);
		await vi.advanceTimersByTimeAsync(3 * minute);
		expect(a.signedOut).toEqual(["idle"]);
		const after = tabs.api.seen.filter((seen) => seen.headers.authorization !== undefined);
		expect(after).toHaveLength(1); // the first try, before the sign-out
		expect(await pending).not.toBe("fulfilled");
	});

	it("should name the option and the value when it is wrong", () => {
		tabs = clientTabs();
		expect(() => tabs.open({ idle: { timeoutMs: 0 } })).toThrow(new TypeError("idle.timeoutMs must be a number of milliseconds ≥ 1, got 0"));
	});
});
