import type { EventHub } from "../events/events.js";
import type { SessionEvent } from "../session/reducer.js";
import type { BroadcastChannelLike, TabSync } from "../tabs/tabSync.js";
import type { StorageLike } from "../tokens/tokenStores.js";
import type { TokenSet } from "../tokens/types.js";
import { watchActivity } from "./activity.js";
import type { AbsoluteLimit, ActivityTarget, LifetimeOptions, LifetimeSnapshot } from "./options.js";

/** What tabs tell each other about the session's lifetime (over the channel the tabs share). */
export type LifetimeMessage =
	/** Activity at `at` (epoch ms); `stay`: `staySignedIn()`, which also dismisses a warning. */
	| { type: "lifetime-activity"; at: number; stay: boolean }
	| { type: "lifetime-absolute"; deadline: number | null }
	| { type: "lifetime-expired"; reason: "idle" | "expired" };

export type LifetimeChannel = {
	post(message: LifetimeMessage): void;
	subscribe(listener: (message: LifetimeMessage) => void): () => void;
};

/** Timers go through this so tests and hosts can replace them; deadlines are checked against `now()`, never the timers. */
export type LifetimeTimers = {
	set(callback: () => void, ms: number): unknown;
	clear(handle: unknown): void;
};

export type LifetimeDeps = {
	now(): number;
	timers?: LifetimeTimers | undefined;
	channel?: LifetimeChannel | undefined;
	/** Shared by the tabs (localStorage): a reloaded or newly opened tab knows the last activity of the others. */
	storage?: StorageLike | null | undefined;
	storageKey?: string | undefined;
	/** Where DOM activity counts (from `idle.activityTarget`); null for none. */
	activityTarget: ActivityTarget | null;
	/** Called with each new snapshot. */
	publish(snapshot: LifetimeSnapshot): void;
	/** The session ran out: sign out with this reason. Called once per session in each tab. */
	expire(reason: "idle" | "expired"): void;
	/** `staySignedIn()`'s one refresh. */
	refresh(): Promise<unknown>;
	events?: EventHub | undefined;
};

export type Lifetime = ReturnType<typeof createLifetime>;

// Deadlines are wall time; a timer is a reminder to look. A laptop that slept or a throttled tab looks at most this late.
const tickMs = 1_000;
// Activity reaches the other tabs at most this late (leading and trailing edge): well inside any idle timeout.
const shareEveryMs = 1_000;

/**
 * The session's lifetime in one tab, kept in step with the others: activity in any tab extends the idle deadline of
 * all, a warning and its dismissal show in all, and each tab signs itself out at the same wall-clock deadline (and
 * when another tab says it did).
 */
export function createLifetime(options: LifetimeOptions, deps: LifetimeDeps) {
	const { idle, absolute } = options;
	const timers: LifetimeTimers = deps.timers ?? { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
	const idleWarnMs = idle ? Math.min(idle.warnBeforeMs ?? 60_000, idle.timeoutMs / 2) : 0;
	const absoluteWarnMs = absolute?.warnBeforeMs ?? 60_000;
	let active = false;
	let lastActivity = 0;
	let absoluteDeadline: number | undefined;
	// The absolute deadline whose warning `staySignedIn()` dismissed.
	let dismissedAbsolute: number | undefined;
	let snapshot: LifetimeSnapshot = { idleDeadline: undefined, absoluteDeadline: undefined, warning: null };
	let timer: unknown;
	let sharedAt = -Infinity;
	let trailing: unknown;
	let stayFlight: Promise<void> | undefined;
	let disposed = false;
	// The latest tokens stored: a sign-in writes them just before the session says it signed in.
	let lastTokens: TokenSet | undefined;

	const unsubscribe = deps.channel?.subscribe(onMessage);
	const unwatch = idle && deps.activityTarget ? watchActivity(deps.activityTarget, () => reportActivity()) : undefined;

	function idleDeadline(): number | undefined {
		return active && idle ? lastActivity + idle.timeoutMs : undefined;
	}

	function warningAt(now: number): LifetimeSnapshot["warning"] {
		const idleEnd = idleDeadline();
		if (absoluteDeadline !== undefined && dismissedAbsolute !== absoluteDeadline && now >= absoluteDeadline - absoluteWarnMs) {
			if (idleEnd === undefined || absoluteDeadline <= idleEnd) return "absolute";
		}
		if (idleEnd !== undefined && now >= idleEnd - idleWarnMs) return "idle";
		return null;
	}

	/** Compares the deadlines with the wall clock: expires, warns, or sets the next reminder. */
	function check(): void {
		timers.clear(timer);
		timer = undefined;
		if (!active || disposed) return update(undefined);
		const now = deps.now();
		const idleEnd = idleDeadline();
		if (absoluteDeadline !== undefined && now >= absoluteDeadline) return expire("expired", true);
		if (idleEnd !== undefined && now >= idleEnd) return expire("idle", true);
		update(now);
		const next = [idleEnd, idleEnd === undefined ? undefined : idleEnd - idleWarnMs, absoluteDeadline, absoluteDeadline === undefined ? undefined : absoluteDeadline - absoluteWarnMs]
			.filter((at): at is number => at !== undefined && at > now)
			.reduce((soonest, at) => Math.min(soonest, at), Infinity);
		if (next !== Infinity) timer = timers.set(check, Math.min(next - now, tickMs));
	}

	function update(now: number | undefined): void {
		const next: LifetimeSnapshot = {
			idleDeadline: idleDeadline(),
			absoluteDeadline: active ? absoluteDeadline : undefined,
			warning: now === undefined ? null : warningAt(now),
		};
		if (next.idleDeadline === snapshot.idleDeadline && next.absoluteDeadline === snapshot.absoluteDeadline && next.warning === snapshot.warning) return;
		const warned = next.warning !== null && next.warning !== snapshot.warning;
		snapshot = Object.freeze(next);
		if (warned) {
			const deadline = next.warning === "idle" ? next.idleDeadline : next.absoluteDeadline;
			deps.events?.emit({ type: "lifetime.warning", kind: next.warning!, deadline: deadline! });
		}
		deps.publish(snapshot);
	}

	function expire(reason: "idle" | "expired", tellOthers: boolean): void {
		if (!active) return;
		active = false;
		timers.clear(trailing);
		if (tellOthers) deps.channel?.post({ type: "lifetime-expired", reason });
		deps.events?.emit({ type: "lifetime.expired", reason });
		update(undefined);
		deps.expire(reason);
	}

	/** Activity at `at`: moves the idle deadline, unless a warning shows and this is not `staySignedIn()`. */
	function noteActivity(at: number, stay: boolean): boolean {
		if (!active || !idle || disposed) return false;
		const now = deps.now();
		// Never past now: a tab's clock in the future must not keep the others signed in.
		const when = Math.min(at, now);
		if (when <= lastActivity) return false;
		if (!stay && warningAt(now) === "idle") return false;
		// Activity after the deadline cannot revive a session that has already run out here.
		if (now >= lastActivity + idle.timeoutMs) return false;
		lastActivity = when;
		return true;
	}

	function reportActivity(stay = false): void {
		const moved = noteActivity(deps.now(), stay);
		if (stay && active) dismissedAbsolute = absoluteDeadline;
		// A dismissal is always told, even when the clock has not moved since the last activity.
		if (moved || (stay && active)) share(stay);
		check();
	}

	/** Tells the other tabs, at most once a second (the latest activity is sent at the end of that second). */
	function share(stay: boolean): void {
		const now = deps.now();
		if (stay || now - sharedAt >= shareEveryMs) {
			sharedAt = now;
			timers.clear(trailing);
			trailing = undefined;
			deps.channel?.post({ type: "lifetime-activity", at: lastActivity, stay });
			save();
			return;
		}
		trailing ??= timers.set(() => {
			trailing = undefined;
			share(false);
		}, shareEveryMs - (now - sharedAt));
	}

	function onMessage(message: LifetimeMessage): void {
		if (disposed) return;
		switch (message.type) {
			case "lifetime-activity":
				noteActivity(message.at, message.stay);
				if (message.stay && active) dismissedAbsolute = absoluteDeadline;
				check();
				return;
			case "lifetime-absolute":
				absoluteDeadline = message.deadline ?? undefined;
				check();
				return;
			case "lifetime-expired":
				expire(message.reason, false);
				return;
		}
	}

	function save(): void {
		if (!deps.storage || !deps.storageKey) return;
		try {
			deps.storage.setItem(deps.storageKey, JSON.stringify({ activity: lastActivity, absolute: absoluteDeadline ?? null }));
		} catch {
			// Storage full or denied: the channel still carries it to open tabs.
		}
	}

	function load(): { activity?: number; absolute?: number | null } {
		if (!deps.storage || !deps.storageKey) return {};
		try {
			const value = JSON.parse(deps.storage.getItem(deps.storageKey) ?? "null") as { activity?: unknown; absolute?: unknown } | null;
			return {
				...(typeof value?.activity === "number" ? { activity: value.activity } : {}),
				...(typeof value?.absolute === "number" ? { absolute: value.absolute } : {}),
			};
		} catch {
			return {};
		}
	}

	return {
		/**
		 * A session is present. `fresh`: it was just signed in (its clock starts now); otherwise it continues what the
		 * tabs recorded (a reload does not reset the idle clock of a session that was left alone).
		 */
		start(fresh: boolean, tokens?: TokenSet): void {
			if (disposed) return;
			const now = deps.now();
			const stored = fresh ? {} : load();
			active = true;
			lastActivity = stored.activity !== undefined && stored.activity <= now ? stored.activity : now;
			dismissedAbsolute = undefined;
			absoluteDeadline = fresh ? undefined : (stored.absolute ?? undefined);
			if (tokens) lastTokens = tokens;
			const limit = absoluteFrom(absolute, lastTokens);
			if (limit !== undefined || fresh) absoluteDeadline = limit;
			if (fresh) {
				deps.channel?.post({ type: "lifetime-activity", at: lastActivity, stay: true });
				sharedAt = now;
			}
			save();
			check();
		},
		/** The session ended some other way (logout, a dead session): nothing left to time. */
		stop(): void {
			active = false;
			lastTokens = undefined;
			timers.clear(trailing);
			check();
		},
		/** New tokens (a refresh, a sign-in): the absolute limit may have moved. */
		tokens(tokens: TokenSet | undefined): void {
			lastTokens = tokens;
			if (!active || !absolute) return;
			const limit = absoluteFrom(absolute, tokens);
			if (limit === absoluteDeadline) return;
			absoluteDeadline = limit;
			deps.channel?.post({ type: "lifetime-absolute", deadline: limit ?? null });
			save();
			check();
		},
		/** A change of the session: the clocks start with a session and stop with it. */
		follow(event: SessionEvent["type"]): void {
			// A new sign-in (here, or by re-authentication) starts them afresh; another tab's session continues the tabs' clocks.
			if (event === "signedIn" || event === "reauthenticated") this.start(true);
			else if (event === "adopted") this.start(false);
			else if (event === "signedOut") this.stop();
		},
		reportActivity: () => reportActivity(),
		/** A request the app made. */
		requested(): void {
			if (idle?.countRequests !== false) reportActivity();
		},
		/** Dismisses the warning in every tab and refreshes once (shared by concurrent calls in this tab). */
		staySignedIn(): Promise<void> {
			if (!active || disposed) return Promise.resolve();
			reportActivity(true);
			stayFlight ??= deps
				.refresh()
				.then(
					() => undefined,
					() => undefined,
				)
				.finally(() => {
					stayFlight = undefined;
				});
			return stayFlight;
		},
		/** Looks at the wall clock now (a tab that became visible, a page shown again). */
		check,
		dispose(): void {
			disposed = true;
			active = false;
			timers.clear(timer);
			timers.clear(trailing);
			unsubscribe?.();
			unwatch?.();
		},
	};
}

/** The earliest of the limits the app chose, for these tokens. */
export function absoluteFrom(limit: AbsoluteLimit | undefined, tokens: TokenSet | undefined): number | undefined {
	if (!limit) return undefined;
	const candidates: (number | undefined)[] = [];
	if (limit.refreshExpiry !== false) candidates.push(tokens?.refreshExpiresAt);
	if (limit.maxAuthAgeMs !== undefined) {
		const authTime = authTimeOf(tokens?.idToken);
		candidates.push(authTime === undefined ? undefined : authTime * 1000 + limit.maxAuthAgeMs);
	}
	if (limit.deadline) candidates.push(limit.deadline(tokens));
	const known = candidates.filter((at): at is number => typeof at === "number" && Number.isFinite(at));
	return known.length === 0 ? undefined : Math.min(...known);
}

/** What the client hands the lifetime: its tabs, the session's way out, the one refresh, and where a session starts. */
export type LifetimeParts = {
	tabs: Pick<TabSync, "channel" | "name"> | undefined;
	/** Shared by the tabs (localStorage), or null. */
	storage: StorageLike | null;
	expire(reason: "idle" | "expired"): void;
	refresh(): Promise<unknown>;
	events: EventHub;
	/** Whether a session is there when the page starts (bearer: the tokens in the store), and its tokens. */
	initial(): Promise<unknown>;
};

/** The client's lifetime, in a browser: wall clock, DOM activity, the tabs' channel and storage. */
export function lifetimeOf(options: LifetimeOptions, parts: LifetimeParts, publish: (snapshot: LifetimeSnapshot) => void): Lifetime {
	const { tabs } = parts;
	const target = options.idle?.activityTarget;
	const lifetime = createLifetime(options, {
		now: Date.now,
		channel: tabs?.channel ? lifetimeChannel(tabs.channel) : undefined,
		storage: tabs ? parts.storage : null,
		storageKey: `tokenflight:lifetime:${tabs?.name}`,
		activityTarget: target === undefined ? ((globalThis as { document?: ActivityTarget }).document ?? null) : target,
		publish,
		expire: parts.expire,
		refresh: parts.refresh,
		events: parts.events,
	});
	// A session present at start (tokens in the store, a cookie session) continues the tabs' clocks.
	void parts.initial().then(
		// What the store holds is read field by field (absoluteFrom): a custom store may hand back anything.
		(found) => found && lifetime.start(false, typeof found === "object" ? (found as TokenSet) : undefined),
		() => undefined,
	);
	return lifetime;
}

/**
 * An ID token's `auth_time` claim (seconds), or undefined. Read here rather than with tokens/jwt.ts, which the core
 * loads: a module both used would become a chunk of its own in every app, lifetime or not.
 */
function authTimeOf(idToken: unknown): number | undefined {
	try {
		const payload = (idToken as string).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
		const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (char) => char.charCodeAt(0)))) as { auth_time?: unknown };
		return typeof claims.auth_time === "number" && Number.isFinite(claims.auth_time) ? claims.auth_time : undefined;
	} catch {
		return undefined;
	}
}

/** The lifetime's messages on a channel the tabs already share; anything else on it is left alone. */
export function lifetimeChannel(channel: BroadcastChannelLike): LifetimeChannel {
	return {
		post(message) {
			try {
				channel.postMessage(message);
			} catch {
				// A closed channel (the page is unloading) has nobody left to tell.
			}
		},
		subscribe(listener) {
			const onMessage = (event: { data: unknown }) => {
				if (isLifetimeMessage(event.data)) listener(event.data);
			};
			channel.addEventListener("message", onMessage);
			return () => channel.removeEventListener("message", onMessage);
		},
	};
}

function isLifetimeMessage(value: unknown): value is LifetimeMessage {
	if (typeof value !== "object" || value === null) return false;
	const message = value as Record<string, unknown>;
	switch (message.type) {
		case "lifetime-activity":
			return typeof message.at === "number" && Number.isFinite(message.at) && typeof message.stay === "boolean";
		case "lifetime-absolute":
			return message.deadline === null || (typeof message.deadline === "number" && Number.isFinite(message.deadline));
		case "lifetime-expired":
			return message.reason === "idle" || message.reason === "expired";
		default:
			return false;
	}
}
