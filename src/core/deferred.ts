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

export type Gate = { promise: Promise<void>; open(): void; fail(error: unknown): void };

/** A one-shot gate that stalled requests wait on while the session re-authenticates. */
export function createGate(): Gate {
	let open!: () => void;
	let fail!: (error: unknown) => void;
	const promise = new Promise<void>((resolve, reject) => {
		open = resolve;
		fail = reject;
	});
	// Nobody may be waiting when the gate fails; that must not surface as an unhandled rejection.
	promise.catch(() => {});
	return { promise, open, fail };
}
