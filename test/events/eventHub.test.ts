import { describe, expect, it, vi } from "vitest";
import { createEventHub } from "../../src/events/events.js";

describe("the event hub", () => {
	it("should stamp each event with the time, freeze it, and stop after unsubscribe", () => {
		const hub = createEventHub(() => 1_234);
		const seen: unknown[] = [];
		const stop = hub.stream.subscribe((event) => seen.push(event));
		hub.emit({ type: "dedupe.hit" });
		stop();
		hub.emit({ type: "dedupe.hit" });
		expect(seen).toEqual([{ type: "dedupe.hit", at: 1_234 }]);
		expect(Object.isFrozen(seen[0])).toBe(true);
	});

	it("should reach every listener when one throws, and rethrow that error later", () => {
		const later: (() => void)[] = [];
		vi.spyOn(globalThis, "queueMicrotask").mockImplementation((callback) => void later.push(callback));
		const hub = createEventHub();
		const second = vi.fn();
		hub.stream.subscribe(() => {
			throw new Error("listener bug");
		});
		hub.stream.subscribe(second);
		hub.emit({ type: "challenge", kind: "step-up" });
		expect(second).toHaveBeenCalledTimes(1);
		expect(later).toHaveLength(1);
		expect(later[0]).toThrow("listener bug");
	});

	it("should say it is inactive while nobody listens, so callers build nothing", () => {
		const hub = createEventHub();
		expect(hub.active).toBe(false);
		const stop = hub.stream.subscribe(() => undefined);
		expect(hub.active).toBe(true);
		stop();
		expect(hub.active).toBe(false);
	});
});
