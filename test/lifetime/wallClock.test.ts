import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lifetimeTabs, minute } from "./tabs.js";

let tabs: ReturnType<typeof lifetimeTabs>;
beforeEach(() => {
	vi.useFakeTimers({ now: new Date("2026-12-06T09:00:00Z") });
	tabs = lifetimeTabs({ idle: { timeoutMs: 10 * minute, warnBeforeMs: minute }, absolute: { deadline: () => Date.parse("2026-12-06T17:00:00Z") } });
});
afterEach(() => tabs.dispose());

// A sleeping laptop stops timers but not the wall clock: Date jumps, and the timers fire late.
describe("deadlines follow the wall clock", () => {
	it("should sign out within a second of waking when the machine slept past the idle deadline", async () => {
		const a = tabs.open("A");
		const b = tabs.open("B");
		await vi.advanceTimersByTimeAsync(2 * minute);
		vi.setSystemTime(Date.now() + 30 * minute); // asleep: no timer ran
		await vi.advanceTimersByTimeAsync(1_000);
		expect([a.expired, b.expired]).toEqual([["idle"], ["idle"]]);
	});

	it("should never sign out early when the clock moves back or timers fire ahead of the wall clock", async () => {
		const a = tabs.open("A");
		const deadline = a.snapshot.idleDeadline!;
		await vi.advanceTimersByTimeAsync(5 * minute);
		vi.setSystemTime(Date.now() - 3 * minute); // the clock was corrected backwards
		await vi.advanceTimersByTimeAsync(7 * minute); // the timer set for the old deadline has fired
		expect(Date.now()).toBeLessThan(deadline);
		expect(a.expired).toEqual([]);
		await vi.advanceTimersByTimeAsync(deadline - Date.now() + 1_000);
		expect(a.expired).toEqual(["idle"]);
	});

	it("should sign out with reason expired within a second of waking after the absolute limit, however active", async () => {
		const a = tabs.open("A");
		const b = tabs.open("B");
		expect(b.snapshot.absoluteDeadline).toBe(Date.parse("2026-12-06T17:00:00Z"));
		// Active all day, in short sleeps: the idle deadline never passes.
		while (Date.now() + 5 * minute < Date.parse("2026-12-06T17:00:00Z")) {
			vi.setSystemTime(Date.now() + 5 * minute);
			a.lifetime.reportActivity();
			await vi.advanceTimersByTimeAsync(10);
		}
		expect([a.expired, b.expired]).toEqual([[], []]);
		vi.setSystemTime(Date.parse("2026-12-06T17:00:00.500Z"));
		await vi.advanceTimersByTimeAsync(1_000);
		expect([a.expired, b.expired]).toEqual([["expired"], ["expired"]]);
	});

	it("should look at the clock when asked (a tab shown again) without waiting for its timer", async () => {
		const a = tabs.open("A");
		vi.setSystemTime(Date.now() + 11 * minute);
		a.lifetime.check();
		expect(a.expired).toEqual(["idle"]);
	});
});
