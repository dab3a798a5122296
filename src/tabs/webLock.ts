import type { LockRunner } from "./lockRunner.js";

/** The part of `navigator.locks` tokenflight uses. */
export type LockManagerLike = {
	/** `lock` is null when `ifAvailable` was asked and the lock is held. */
	request<T>(name: string, options: { signal?: AbortSignal; steal?: boolean; ifAvailable?: boolean }, callback: (lock?: unknown) => Promise<T>): Promise<T>;
};

/**
 * A cross-tab mutex on Web Locks. A tab that closes releases its locks by itself; a tab that is frozen
 * or stuck while holding one would block every other tab, so a waiter that has waited `timeoutMs`
 * steals it instead of waiting on.
 */
export function webLockRunner(locks: LockManagerLike, name: string, timeoutMs: number): LockRunner {
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
		let ran = false;
		const run = () => {
			ran = true;
			return fn();
		};
		try {
			return await locks.request(name, { signal: controller.signal }, () => {
				clearTimeout(timer);
				return run();
			});
		} catch (error) {
			// Where locks cannot be had at all (an opaque origin: a sandboxed iframe throws SecurityError), the
			// refresh still runs, single-flight within this tab.
			if (!ran && (error as { name?: unknown } | null)?.name === "SecurityError") return run();
			if (ran || signal?.aborted || !controller.signal.aborted || (error as { name?: unknown } | null)?.name !== "AbortError") throw error;
			return locks.request(name, { steal: true }, run);
		} finally {
			clearTimeout(timer);
			signal?.removeEventListener("abort", giveUp);
		}
	};
}
