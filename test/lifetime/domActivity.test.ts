import { describe, expect, it, vi } from "vitest";
import { watchActivity } from "../../src/lifetime/activity.js";

describe("DOM activity", () => {
	it("should report pointer, key, wheel, touch and scroll events at most once a second, and stop on unsubscribe", () => {
		const target = new EventTarget();
		let now = 0;
		const report = vi.fn();
		const stop = watchActivity(target, report, () => now);
		for (const type of ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll"]) {
			now += 1_000;
			target.dispatchEvent(new Event(type));
			target.dispatchEvent(new Event(type)); // same second
		}
		expect(report).toHaveBeenCalledTimes(6);
		target.dispatchEvent(new Event("focus"));
		stop();
		now += 5_000;
		target.dispatchEvent(new Event("keydown"));
		expect(report).toHaveBeenCalledTimes(6);
	});

});
