import type { ActivityTarget } from "./options.js";

// What a person at the page does; `pointermove` too, so reading with the mouse on the page counts.
const activityEvents = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart", "scroll"] as const;

/**
 * Calls `report` for user activity on `target`, at most once a second (pointermove fires per frame). Listeners are
 * passive and capturing, so a handler that stops propagation cannot hide activity. Returns the unsubscribe.
 */
export function watchActivity(target: ActivityTarget, report: () => void, now: () => number = Date.now): () => void {
	let last = -Infinity;
	const listener = () => {
		const at = now();
		if (at - last < 1_000) return;
		last = at;
		report();
	};
	for (const type of activityEvents) target.addEventListener(type, listener, { passive: true, capture: true });
	return () => {
		for (const type of activityEvents) target.removeEventListener(type, listener, { capture: true });
	};
}
