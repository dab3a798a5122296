/** Waits for `promise`, but rejects with the signal's reason (an AbortError) as soon as `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
	if (!signal) return promise;
	if (signal.aborted) return Promise.reject(abortReason(signal));
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(abortReason(signal));
		signal.addEventListener("abort", onAbort, { once: true });
		promise.then(
			(value) => {
				signal.removeEventListener("abort", onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener("abort", onAbort);
				reject(error);
			},
		);
	});
}

export function abortReason(signal: AbortSignal): unknown {
	return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

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

/** The reason every wait of a disposed client rejects with. */
export function disposedError(): DOMException {
	return new DOMException("The tokenflight client was disposed", "AbortError");
}

/**
 * Releases a response body nobody will read. Never awaited: under msw 2 a cancel can stay pending forever, and nothing
 * on the request path may wait for it.
 */
export function discard(response: Response): void {
	try {
		void response.body?.cancel().catch(() => undefined);
	} catch {
		// A locked or already consumed body has nothing left to release.
	}
}

/** Reports an app callback's error where uncaught errors go, without letting it break the bookkeeping that called it. */
export function rethrowLater(error: unknown): void {
	queueMicrotask(() => {
		throw error;
	});
}
