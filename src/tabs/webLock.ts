import type { EventHub } from "../events/events.js";
import type { LockRunner } from "./lockRunner.js";

/** The part of `navigator.locks` tokenflight uses. */
export type LockManagerLike = {
	/** `lock` is null when `ifAvailable` was asked and the lock is held. */
	request<T>(name: string, options: { signal?: AbortSignal; steal?: boolean; ifAvailable?: boolean }, callback: (lock?: unknown) => Promise<T>): Promise<T>;
};

/**
 * A cross-tab mutex on Web Locks. A tab that closes releases its locks by itself; a tab that is frozen, or whose refresh
 * call hangs, would block every other tab, so a waiter that has waited `timeoutMs` goes on without it (it steals the
 * lock). That is safe: a refresh token is presented only under its own lock (tokenLock.ts).
 */
export function webLockRunner(locks: LockManagerLike, name: string, timeoutMs: number, events?: EventHub): LockRunner {
	return async <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), timeoutMs);
		// Given up (a disposed client): stop waiting, and never steal.
		const giveUp = () => {
			clearTimeout(timer);
			controller.abort(signal?.reason);
		};
		signal?.addEventListener("abort", giveUp, { once: true });
		if (signal?.aborted) giveUp();
		const askedAt = Date.now();
		let ran = false;
		const run = () => {
			ran = true;
			return fn();
		};
		try {
			// Free: taken at once. Held: waited for, and the wait is told.
			const free = await locks.request(name, { ifAvailable: true }, async (lock) => (lock === null ? (false as const) : { value: await run() }));
			if (free) return free.value;
			return await locks.request(name, { signal: controller.signal }, () => {
				clearTimeout(timer);
				events?.emit({ type: "lock.waited", durationMs: Date.now() - askedAt });
				return run();
			});
		} catch (error) {
			// Where locks cannot be had at all (an opaque origin: a sandboxed iframe throws SecurityError), the
			// refresh still runs, single-flight within this tab.
			if (!ran && (error as { name?: unknown } | null)?.name === "SecurityError") return run();
			if (ran || signal?.aborted || !controller.signal.aborted || (error as { name?: unknown } | null)?.name !== "AbortError") throw error;
			events?.emit({ type: "lock.stolen", durationMs: Date.now() - askedAt });
			return locks.request(name, { steal: true }, run);
		} finally {
			clearTimeout(timer);
			signal?.removeEventListener("abort", giveUp);
		}
	};
}
