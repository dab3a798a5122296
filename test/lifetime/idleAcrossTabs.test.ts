import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lifetimeTabs, minute } from "./tabs.js";

let tabs: ReturnType<typeof lifetimeTabs>;
beforeEach(() => {
	vi.useFakeTimers({ now: new Date("2026-12-06T09:00:00Z") });
	tabs = lifetimeTabs({ idle: { timeoutMs: 10 * minute, warnBeforeMs: minute } });
});
afterEach(() => tabs.dispose());

describe("idle timeout across tabs", () => {
	it("should keep tab B signed in while the user is active in tab A", async () => {
		const a = tabs.open("A");
		const b = tabs.open("B");
		for (let i = 0; i < 5; i++) {
			await vi.advanceTimersByTimeAsync(6 * minute);
			a.lifetime.reportActivity();
		}
		await vi.advanceTimersByTimeAsync(2_000);
		expect(b.expired).toEqual([]);
		expect(b.snapshot.idleDeadline).toBe(a.snapshot.idleDeadline);
		expect(b.snapshot.idleDeadline).toBeGreaterThan(Date.now() + 9 * minute);
	});

	it("should show the warning in every tab, and dismiss it in every tab when one stays signed in", async () => {
		const a = tabs.open("A");
		const b = tabs.open("B");
		await vi.advanceTimersByTimeAsync(9 * minute + 1);
		expect([a.snapshot.warning, b.snapshot.warning]).toEqual(["idle", "idle"]);
		expect(b.events.filter((event) => event.type === "lifetime.warning")).toHaveLength(1);
		const stay = b.lifetime.staySignedIn();
		void b.lifetime.staySignedIn();
		await vi.advanceTimersByTimeAsync(100);
		await stay;
		expect([a.snapshot.warning, b.snapshot.warning]).toEqual([null, null]);
		expect(b.refresh).toHaveBeenCalledTimes(1);
		expect(a.refresh).not.toHaveBeenCalled();
		await vi.advanceTimersByTimeAsync(5 * minute);
		expect([a.expired, b.expired]).toEqual([[], []]);
	});

	it("should not let activity hide a warning the user has not answered", async () => {
		const a = tabs.open("A");
		const b = tabs.open("B");
		await vi.advanceTimersByTimeAsync(9 * minute + 1);
		a.lifetime.reportActivity();
		a.lifetime.requested();
		await vi.advanceTimersByTimeAsync(10);
		expect([a.snapshot.warning, b.snapshot.warning]).toEqual(["idle", "idle"]);
	});

	it("should sign every tab out once, with reason idle, at the idle deadline and not before", async () => {
		const a = tabs.open("A");
		const b = tabs.open("B");
		const c = tabs.open("C");
		await vi.advanceTimersByTimeAsync(10 * minute - 1);
		expect([a.expired, b.expired, c.expired]).toEqual([[], [], []]);
		await vi.advanceTimersByTimeAsync(1);
		await vi.advanceTimersByTimeAsync(2 * minute);
		expect([a.expired, b.expired, c.expired]).toEqual([["idle"], ["idle"], ["idle"]]);
		expect(a.snapshot).toEqual({ idleDeadline: undefined, absoluteDeadline: undefined, warning: null });
		expect(a.events.filter((event) => event.type === "lifetime.expired")).toEqual([{ type: "lifetime.expired", reason: "idle", at: Date.now() - 2 * minute }]);
	});

	it("should count activity that a tab shares late (trailing edge) before another tab's deadline", async () => {
		const a = tabs.open("A");
		const b = tabs.open("B");
		a.lifetime.reportActivity(); // shared at once
		await vi.advanceTimersByTimeAsync(500);
		a.lifetime.reportActivity(); // inside the second: shared at its end
		const last = Date.now();
		await vi.advanceTimersByTimeAsync(10 * minute - 1);
		expect(b.expired).toEqual([]);
		expect(b.snapshot.idleDeadline).toBe(last + 10 * minute);
		await vi.advanceTimersByTimeAsync(10);
		expect(b.expired).toEqual(["idle"]);
	});

	it("should end a session that was left idle when a tab is reloaded after its deadline", async () => {
		const a = tabs.open("A");
		await vi.advanceTimersByTimeAsync(3 * minute);
		a.lifetime.dispose(); // the tab is closed
		vi.setSystemTime(Date.now() + 20 * minute); // …and the laptop slept
		const reloaded = tabs.open("A again", { fresh: false });
		expect(reloaded.expired).toEqual(["idle"]);
	});

	it("should continue the idle clock of the other tabs in a newly opened tab", async () => {
		const a = tabs.open("A");
		await vi.advanceTimersByTimeAsync(4 * minute);
		const b = tabs.open("B", { fresh: false });
		expect(b.snapshot.idleDeadline).toBe(a.snapshot.idleDeadline);
	});
});
