import { vi } from "vitest";
import { createEventHub, type TokenflightEvent } from "../../src/events/events.js";
import { createLifetime, lifetimeChannel } from "../../src/lifetime/lifetime.js";
import type { LifetimeOptions, LifetimeSnapshot } from "../../src/lifetime/options.js";
import type { StorageLike } from "../../src/tokens/tokenStores.js";
import type { TokenSet } from "../../src/tokens/types.js";
import { channelHub } from "../helpers/channel.js";

export const minute = 60_000;

/** In-memory localStorage shared by the tabs of one test. */
export function sharedStorage(): StorageLike {
	const items = new Map<string, string>();
	return {
		getItem: (key) => items.get(key) ?? null,
		setItem: (key, value) => void items.set(key, value),
		removeItem: (key) => void items.delete(key),
	};
}

/** Lifetime engines of several tabs on one channel hub and one storage, with what each did. */
export function lifetimeTabs(options: LifetimeOptions) {
	const hub = channelHub();
	const storage = sharedStorage();
	const all: { lifetime: { dispose(): void } }[] = [];
	function open(name: string, start: { fresh: boolean; tokens?: TokenSet } | undefined = { fresh: true }) {
		const expired: ("idle" | "expired")[] = [];
		const events: TokenflightEvent[] = [];
		const hub$ = createEventHub();
		hub$.stream.subscribe((event) => events.push(event));
		let snapshot: LifetimeSnapshot = { idleDeadline: undefined, absoluteDeadline: undefined, warning: null };
		const refresh = vi.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 50)));
		const lifetime = createLifetime(options, {
			now: () => Date.now(),
			channel: lifetimeChannel(hub.open()),
			storage,
			storageKey: "tokenflight:lifetime:test",
			activityTarget: null,
			publish: (next) => void (snapshot = next),
			expire: (reason) => void expired.push(reason),
			refresh,
			events: hub$,
		});
		if (start) lifetime.start(start.fresh, start.tokens);
		const tab = {
			name,
			lifetime,
			expired,
			events,
			refresh,
			get snapshot() {
				return snapshot;
			},
		};
		all.push(tab);
		return tab;
	}
	return { open, storage, dispose: () => all.forEach((tab) => tab.lifetime.dispose()) };
}
