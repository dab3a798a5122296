/** Reports an app callback's error where uncaught errors go, without letting it break the bookkeeping that called it. */
export function rethrowLater(error: unknown): void {
	queueMicrotask(() => {
		throw error;
	});
}
