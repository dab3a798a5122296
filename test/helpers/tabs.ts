import type { LockManagerLike } from "../../src/tabs/webLock.js";

/**
 * An in-process stand-in for `navigator.locks`: one exclusive FIFO lock per name, with `signal` to give up
 * waiting and `steal` to take a lock from its holder. `freeze()` makes the next holder hang forever, like a
 * tab that was frozen or closed mid-refresh without its lock being released.
 */
export function fakeLocks() {
	type Waiter = { start: () => void; signal: AbortSignal | undefined; reject: (error: unknown) => void };
	const held = new Map<string, { release: () => void }>();
	const queues = new Map<string, Waiter[]>();
	let freezeNext = false;
	let steals = 0;

	function grantNext(name: string) {
		const queue = queues.get(name) ?? [];
		const next = queue.shift();
		if (next) next.start();
	}

	const locks: LockManagerLike = {
		request<T>(name: string, options: { signal?: AbortSignal; steal?: boolean; ifAvailable?: boolean }, callback: (lock?: unknown) => Promise<T>): Promise<T> {
			return new Promise<T>((resolve, reject) => {
				const run = () => {
					let released = false;
					const release = () => {
						if (released) return;
						released = true;
						if (held.get(name) === holder) held.delete(name);
						grantNext(name);
					};
					const holder = { release };
					held.set(name, holder);
					if (freezeNext) {
						freezeNext = false;
						return; // Never calls back, never releases: the frozen tab.
					}
					callback({ name }).then(
						(value) => {
							release();
							resolve(value);
						},
						(error: unknown) => {
							release();
							reject(error);
						},
					);
				};
				if (options.steal) {
					steals++;
					held.delete(name);
					run();
					return;
				}
				if (!held.has(name)) {
					run();
					return;
				}
				if (options.ifAvailable) {
					callback(null).then(resolve, reject);
					return;
				}
				const waiter: Waiter = { start: run, signal: options.signal, reject };
				const queue = queues.get(name) ?? [];
				queue.push(waiter);
				queues.set(name, queue);
				options.signal?.addEventListener("abort", () => {
					const index = queue.indexOf(waiter);
					if (index >= 0) queue.splice(index, 1);
					reject(new DOMException("The request was aborted", "AbortError"));
				});
			});
		},
	};
	return {
		locks,
		freezeNextHolder() {
			freezeNext = true;
		},
		get steals() {
			return steals;
		},
		/** Whether `name` is held now (by a live or a frozen holder). */
		isHeld(name: string) {
			return held.has(name);
		},
	};
}

export function fakeVisibility() {
	const listeners = new Set<() => void>();
	const target = {
		visibilityState: "hidden",
		addEventListener: (_: "visibilitychange", listener: () => void) => void listeners.add(listener),
		removeEventListener: (_: "visibilitychange", listener: () => void) => void listeners.delete(listener),
		show() {
			target.visibilityState = "visible";
			for (const listener of listeners) listener();
		},
	};
	return target;
}
