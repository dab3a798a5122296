import { abortReason } from "../core/abortable.js";

export type Gate = {
	/** Resolves when the gate opens, rejects when it fails or `signal` aborts. */
	wait(signal: AbortSignal | null | undefined): Promise<void>;
	open(): void;
	fail(error: unknown): void;
};

/**
 * A one-shot gate that stalled requests wait on while the session re-authenticates. Waiters are kept in a
 * set and dropped on abort: a gate that never opens (the page is navigating away) must not hold on to
 * every request that gave up on it.
 */
export function createGate(): Gate {
	// One small object per waiter: 10,000 requests may wait on one gate while a page reloads.
	type Waiter = { resolve: () => void; reject: (error: unknown) => void; signal: AbortSignal | null | undefined; onAbort: () => void };
	const waiters = new Set<Waiter>();
	let outcome: { ok: true } | { ok: false; error: unknown } | undefined;

	function settle(result: NonNullable<typeof outcome>) {
		if (outcome) return;
		outcome = result;
		for (const waiter of waiters) {
			waiter.signal?.removeEventListener("abort", waiter.onAbort);
			if (result.ok) waiter.resolve();
			else waiter.reject(result.error);
		}
		waiters.clear();
	}

	return {
		wait(signal) {
			if (outcome) return outcome.ok ? Promise.resolve() : Promise.reject(outcome.error);
			if (signal?.aborted) return Promise.reject(abortReason(signal));
			return new Promise<void>((resolve, reject) => {
				const waiter: Waiter = {
					resolve,
					reject,
					signal,
					onAbort() {
						waiters.delete(waiter);
						reject(abortReason(signal!));
					},
				};
				waiters.add(waiter);
				signal?.addEventListener("abort", waiter.onAbort, { once: true });
			});
		},
		open: () => settle({ ok: true }),
		fail: (error) => settle({ ok: false, error }),
	};
}
