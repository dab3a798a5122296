import type { EventHub } from "../events/events.js";
import type { LockRunner } from "./lockRunner.js";
import { webLockRunner, type LockManagerLike } from "./webLock.js";

export type TabMessage =
	/** `rotated`: fingerprint of the refresh token that refresh consumed, so other tabs can spot a stale read of it. */
	| { type: "tokens"; rotated?: string | undefined }
	| { type: "logout" }
	| { type: "identity"; identity: string }
	| { type: "signed-in"; identity?: string | undefined };

/** The part of `BroadcastChannel` tokenflight uses. */
export type BroadcastChannelLike = {
	postMessage(message: unknown): void;
	addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
	removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
	close(): void;
};

/** Where a tab hears that it became visible again (hidden tabs get few or no timers). */
export type VisibilityTarget = {
	readonly visibilityState: string;
	addEventListener(type: "visibilitychange", listener: () => void): void;
	removeEventListener(type: "visibilitychange", listener: () => void): void;
};

export type TabsOptions = {
	/** Names the lock and the channel; give each credential (each API, each account slot) its own. @default "tokenflight" */
	name?: string;
	/** Cross-tab refresh lock. `null` turns it off (per-tab single flight only). @default navigator.locks */
	locks?: LockManagerLike | null;
	/** Where tabs tell each other about new tokens, logout and identity. `null` turns it off. @default new BroadcastChannel(name) */
	channel?: BroadcastChannelLike | null;
	/**
	 * How long a tab waits for another tab's refresh lock before going on without it (its holder's call hangs, or the tab
	 * is frozen). Safe at any value: a refresh token is presented only under its own lock, held until its answer is stored.
	 * @default 5_000
	 */
	lockTimeoutMs?: number;
	/** @default document */
	visibility?: VisibilityTarget | null;
};

export type TabSync = {
	lock: LockRunner | undefined;
	/** The tabs' Web Locks, for locks besides the refresh lock (a refresh token's own, see tokenLock.ts). */
	locks: LockManagerLike | null;
	/** The channel the tabs share, for messages of optional parts (the lifetime's); null when there is none. */
	channel: BroadcastChannelLike | null;
	/** The name lock, channel and shared keys go by. */
	name: string;
	publish(message: TabMessage): void;
	onVisible(listener: () => void): void;
	dispose(): void;
};

/** Cross-tab coordination; `undefined` when turned off, or by default outside a browser page. */
export function createTabSync(
	options: TabsOptions | false | undefined,
	onMessage: (message: TabMessage) => void,
	/** The options are defaults the client filled in, not the app's: outside a browser there are then no tabs. */
	byDefault = options === undefined,
	events?: EventHub,
): TabSync | undefined {
	if (options === false) return undefined;
	const inBrowser = typeof document !== "undefined";
	if (byDefault && !inBrowser) return undefined;
	const settings = options ?? {};
	const name = settings.name ?? "tokenflight";
	const locks = settings.locks === undefined ? defaultLocks() : settings.locks;
	const channel = settings.channel === undefined ? defaultChannel(`tokenflight:${name}`) : settings.channel;
	const visibility = settings.visibility === undefined ? (inBrowser ? document : null) : settings.visibility;
	const visibleListeners: (() => void)[] = [];

	const onChannelMessage = (event: { data: unknown }) => {
		if (isTabMessage(event.data)) onMessage(event.data);
	};
	const onVisibilityChange = () => {
		if (visibility?.visibilityState === "visible") for (const listener of visibleListeners) listener();
	};
	channel?.addEventListener("message", onChannelMessage);
	visibility?.addEventListener("visibilitychange", onVisibilityChange);

	return {
		lock: locks ? webLockRunner(locks, `tokenflight:refresh:${name}`, settings.lockTimeoutMs ?? 5_000, events) : undefined,
		locks,
		channel,
		name,
		publish(message) {
			try {
				channel?.postMessage(message);
			} catch {
				// A closed channel (the page is unloading) has nobody left to tell.
			}
		},
		onVisible(listener) {
			visibleListeners.push(listener);
		},
		dispose() {
			channel?.removeEventListener("message", onChannelMessage);
			visibility?.removeEventListener("visibilitychange", onVisibilityChange);
			visibleListeners.length = 0;
			// Only a channel we opened is ours to close.
			if (settings.channel === undefined) channel?.close();
		},
	};
}

function defaultLocks(): LockManagerLike | null {
	const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
	return locks && typeof locks.request === "function" ? locks : null;
}

function defaultChannel(name: string): BroadcastChannelLike | null {
	if (typeof BroadcastChannel !== "function") return null;
	try {
		return new BroadcastChannel(name) as unknown as BroadcastChannelLike;
	} catch {
		return null;
	}
}

function isTabMessage(value: unknown): value is TabMessage {
	if (typeof value !== "object" || value === null) return false;
	const { type } = value as { type?: unknown };
	if (type === "identity") return typeof (value as { identity?: unknown }).identity === "string";
	if (type === "tokens") {
		const { rotated } = value as { rotated?: unknown };
		return rotated === undefined || typeof rotated === "string";
	}
	return type === "logout" || type === "signed-in";
}
