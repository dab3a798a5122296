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
	type Waiter = { resolve: () => void; reject: (error: unknown) => void };
	const waiters = new Set<Waiter>();
	let outcome: { ok: true } | { ok: false; error: unknown } | undefined;

	function settle(result: NonNullable<typeof outcome>) {
		if (outcome) return;
		outcome = result;
		for (const waiter of waiters) result.ok ? waiter.resolve() : waiter.reject(result.error);
		waiters.clear();
	}

	return {
		wait(signal) {
			if (outcome) return outcome.ok ? Promise.resolve() : Promise.reject(outcome.error);
			if (signal?.aborted) return Promise.reject(abortReason(signal));
			return new Promise<void>((resolve, reject) => {
				const onAbort = () => {
					waiters.delete(waiter);
					reject(abortReason(signal!));
				};
				const waiter: Waiter = {
					resolve: () => {
						signal?.removeEventListener("abort", onAbort);
						resolve();
					},
					reject: (error) => {
						signal?.removeEventListener("abort", onAbort);
						reject(error);
					},
				};
				waiters.add(waiter);
				signal?.addEventListener("abort", onAbort, { once: true });
			});
		},
		open: () => settle({ ok: true }),
		fail: (error) => settle({ ok: false, error }),
	};
}
