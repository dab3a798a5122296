import { rethrowLater } from "../core/rethrowLater.js";
import type { Lifetime, LifetimeParts } from "./lifetime.js";
import type { LifetimeOptions, LifetimeSnapshot, LifetimeStore } from "./options.js";

/** What the client tells the lifetime, and asks of it (see `Lifetime` for each). */
export type LifetimeHooks = Pick<Lifetime, "follow" | "tokens" | "requested" | "check" | "staySignedIn" | "dispose">;

type Forwarded = "reportActivity" | "follow" | "tokens" | "requested" | "check";

/**
 * `client.lifetime` and the client's hooks into it. The lifetime's logic is a chunk of its own, loaded only when the app
 * asked for `idle` or `absolute`; until it is here, calls wait in order (a few milliseconds late at most, which only
 * ever makes a deadline later).
 */
export function lifetimeStore(options: LifetimeOptions, parts: LifetimeParts): { store: LifetimeStore; hooks: LifetimeHooks } {
	let snapshot: LifetimeSnapshot = { idleDeadline: undefined, absoluteDeadline: undefined, warning: null };
	const listeners = new Set<(snapshot: LifetimeSnapshot) => void>();
	let engine: Lifetime | undefined;
	let pending: ((lifetime: Lifetime) => void)[] | undefined = [];
	const publish = (next: LifetimeSnapshot) => {
		snapshot = next;
		for (const listener of [...listeners]) {
			try {
				listener(next);
			} catch (error) {
				rethrowLater(error);
			}
		}
	};
	void import("./lifetime.js").then(({ lifetimeOf }) => {
		if (!pending) return; // Disposed meanwhile.
		engine = lifetimeOf(options, parts, publish);
		for (const call of pending) call(engine);
		pending = undefined;
	});
	const later = (call: (lifetime: Lifetime) => void) => (engine ? call(engine) : pending?.push(call));
	const forward =
		<K extends Forwarded>(name: K) =>
		(...args: Parameters<Lifetime[K]>) =>
			later((lifetime) => (lifetime[name] as (...values: Parameters<Lifetime[K]>) => void)(...args));

	return {
		store: {
			getSnapshot: () => snapshot,
			subscribe(listener) {
				listeners.add(listener);
				return () => void listeners.delete(listener);
			},
			reportActivity: forward("reportActivity"),
		},
		hooks: {
			follow: forward("follow"),
			tokens: forward("tokens"),
			requested: forward("requested"),
			check: forward("check"),
			staySignedIn: () =>
				engine?.staySignedIn() ?? new Promise<void>((resolve) => (pending ? pending.push((lifetime) => void lifetime.staySignedIn().then(resolve)) : resolve())),
			dispose() {
				pending = undefined;
				engine?.dispose();
				listeners.clear();
			},
		},
	};
}
