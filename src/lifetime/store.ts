import { rethrowLater } from "../core/rethrowLater.js";
import type { SessionEvent } from "../session/reducer.js";
import type { BroadcastChannelLike } from "../tabs/tabSync.js";
import type { TokenSet } from "../tokens/types.js";
import type { Lifetime, LifetimeDeps } from "./lifetime.js";
import type { LifetimeOptions, LifetimeSnapshot, LifetimeStore } from "./options.js";

/** What the client tells the lifetime, and asks of it. */
export type LifetimeHooks = {
	start(fresh: boolean, tokens?: TokenSet): void;
	/** A change of the session: the lifetime starts with a session and stops with it. */
	follow(event: SessionEvent["type"]): void;
	tokens(tokens: TokenSet | undefined): void;
	requested(): void;
	check(): void;
	staySignedIn(): Promise<void>;
	dispose(): void;
};

const none: LifetimeSnapshot = Object.freeze({ idleDeadline: undefined, absoluteDeadline: undefined, warning: null });

/**
 * `client.lifetime` and the client's hooks into it. The lifetime's logic is its own chunk, loaded only when the app
 * asked for `idle` or `absolute`: until it is here, calls wait in order (their effect is timed when they run, a few
 * milliseconds late at most, which only ever makes a deadline later).
 */
export function lifetimeStore(
	options: LifetimeOptions,
	deps: Omit<LifetimeDeps, "publish" | "channel" | "now" | "activityTarget"> & { channel: BroadcastChannelLike | null | undefined },
): { store: LifetimeStore; hooks: LifetimeHooks } {
	let snapshot = none;
	const listeners = new Set<(snapshot: LifetimeSnapshot) => void>();
	let engine: Lifetime | undefined;
	let pending: ((lifetime: Lifetime) => void)[] | undefined = [];
	let disposed = false;

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
	void import("./lifetime.js").then(({ createLifetime, lifetimeChannel }) => {
		if (disposed) return;
		const target = options.idle?.activityTarget;
		engine = createLifetime(options, {
			...deps,
			now: Date.now,
			channel: deps.channel ? lifetimeChannel(deps.channel) : undefined,
			activityTarget: target === undefined ? ((globalThis as { document?: LifetimeDeps["activityTarget"] }).document ?? null) : target,
			publish,
		});
		for (const call of pending!) call(engine);
		pending = undefined;
	});
	const later = (call: (lifetime: Lifetime) => void) => (engine ? call(engine) : pending?.push(call));

	return {
		store: {
			getSnapshot: () => snapshot,
			subscribe(listener) {
				listeners.add(listener);
				return () => void listeners.delete(listener);
			},
			reportActivity: () => later((lifetime) => lifetime.reportActivity()),
		},
		hooks: {
			start: (fresh, tokens) => later((lifetime) => lifetime.start(fresh, tokens)),
			follow(event) {
				// A new sign-in (here or by re-authentication) starts the clocks afresh; another tab's session continues theirs.
				if (event === "signedIn" || event === "reauthenticated") later((lifetime) => lifetime.start(true));
				else if (event === "adopted") later((lifetime) => lifetime.start(false));
				else if (event === "signedOut") later((lifetime) => lifetime.stop());
			},
			tokens: (tokens) => later((lifetime) => lifetime.tokens(tokens)),
			requested: () => later((lifetime) => lifetime.requested()),
			check: () => later((lifetime) => lifetime.check()),
			staySignedIn: () => (disposed ? Promise.resolve() : new Promise<void>((resolve) => later((lifetime) => void lifetime.staySignedIn().then(resolve)))),
			dispose() {
				disposed = true;
				engine?.dispose();
				listeners.clear();
			},
		},
	};
}
