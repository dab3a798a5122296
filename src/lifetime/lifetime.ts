import type { EventHub } from "../events/events.js";
import type { SessionEvent } from "../session/reducer.js";
import type { TabSync } from "../tabs/tabSync.js";
import type { StorageLike } from "../tokens/tokenStores.js";
import type { TokenSet } from "../tokens/types.js";
import { absoluteFrom } from "./absolute.js";
import { watchActivity } from "./activity.js";
import { lifetimeChannel, type LifetimeChannel, type LifetimeMessage } from "./channel.js";
import type { ActivityTarget, LifetimeOptions, LifetimeSnapshot } from "./options.js";

export { absoluteFrom } from "./absolute.js";
export { lifetimeChannel, type LifetimeChannel, type LifetimeMessage } from "./channel.js";

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

// Deadlines are wall time; a timer is a reminder to look. A laptop that slept or a throttled tab looks at most this late.
const tickMs = 1_000;
// Activity reaches the other tabs at most this late (leading and trailing edge): well inside any idle timeout.
const shareEveryMs = 1_000;

const defaultTimers: LifetimeTimers = { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };

/**
 * The session's lifetime in one tab, kept in step with the others: activity in any tab extends the idle deadline of
 * all, a warning and its dismissal show in all, and each tab signs itself out at the same wall-clock deadline (and
 * when another tab says it did).
 */
export class Lifetime {
	private readonly idle: LifetimeOptions["idle"];
	private readonly absolute: LifetimeOptions["absolute"];
	private readonly timers: LifetimeTimers;
	private readonly idleWarnMs: number;
	private readonly absoluteWarnMs: number;
	private readonly record: ReturnType<typeof lifetimeRecord>;
	private active = false;
	private lastActivity = 0;
	private absoluteDeadline: number | undefined;
	// The absolute deadline whose warning `staySignedIn()` dismissed.
	private dismissedAbsolute: number | undefined;
	private snapshot: LifetimeSnapshot = { idleDeadline: undefined, absoluteDeadline: undefined, warning: null };
	private timer: unknown;
	private sharedAt = -Infinity;
	private trailing: unknown;
	private stayFlight: Promise<void> | undefined;
	private disposed = false;
	// The latest tokens stored: a sign-in writes them just before the session says it signed in.
	private lastTokens: TokenSet | undefined;
	private readonly unsubscribe: (() => void) | undefined;
	private readonly unwatch: (() => void) | undefined;

	constructor(
		options: LifetimeOptions,
		private readonly deps: LifetimeDeps,
	) {
		const { idle, absolute } = options;
		this.idle = idle;
		this.absolute = absolute;
		this.timers = deps.timers ?? defaultTimers;
		this.idleWarnMs = idle ? Math.min(idle.warnBeforeMs ?? 60_000, idle.timeoutMs / 2) : 0;
		this.absoluteWarnMs = absolute?.warnBeforeMs ?? 60_000;
		this.record = lifetimeRecord(deps.storage, deps.storageKey);
		this.unsubscribe = deps.channel?.subscribe((message) => this.hear(message));
		this.unwatch = idle && deps.activityTarget ? watchActivity(deps.activityTarget, () => this.reportActivity()) : undefined;
	}

	private idleDeadline(): number | undefined {
		return this.active && this.idle ? this.lastActivity + this.idle.timeoutMs : undefined;
	}

	private warningAt(now: number): LifetimeSnapshot["warning"] {
		const idleEnd = this.idleDeadline();
		const { absoluteDeadline } = this;
		if (absoluteDeadline !== undefined && this.dismissedAbsolute !== absoluteDeadline && now >= absoluteDeadline - this.absoluteWarnMs) {
			if (idleEnd === undefined || absoluteDeadline <= idleEnd) return "absolute";
		}
		if (idleEnd !== undefined && now >= idleEnd - this.idleWarnMs) return "idle";
		return null;
	}

	/** Looks at the wall clock now (on a timer, or when a tab became visible): expires, warns, or sets the next reminder. */
	check(): void {
		this.timers.clear(this.timer);
		this.timer = undefined;
		if (!this.active || this.disposed) return this.update(undefined);
		const now = this.deps.now();
		const idleEnd = this.idleDeadline();
		const { absoluteDeadline } = this;
		if (absoluteDeadline !== undefined && now >= absoluteDeadline) return this.expire("expired", true);
		if (idleEnd !== undefined && now >= idleEnd) return this.expire("idle", true);
		this.update(now);
		const next = [idleEnd, idleEnd === undefined ? undefined : idleEnd - this.idleWarnMs, absoluteDeadline, absoluteDeadline === undefined ? undefined : absoluteDeadline - this.absoluteWarnMs]
			.filter((at): at is number => at !== undefined && at > now)
			.reduce((soonest, at) => Math.min(soonest, at), Infinity);
		if (next !== Infinity) this.timer = this.timers.set(() => this.check(), Math.min(next - now, tickMs));
	}

	private update(now: number | undefined): void {
		const previous = this.snapshot;
		const next: LifetimeSnapshot = {
			idleDeadline: this.idleDeadline(),
			absoluteDeadline: this.active ? this.absoluteDeadline : undefined,
			warning: now === undefined ? null : this.warningAt(now),
		};
		if (next.idleDeadline === previous.idleDeadline && next.absoluteDeadline === previous.absoluteDeadline && next.warning === previous.warning) return;
		this.snapshot = Object.freeze(next);
		if (next.warning !== null && next.warning !== previous.warning) {
			const deadline = next.warning === "idle" ? next.idleDeadline : next.absoluteDeadline;
			this.deps.events?.emit({ type: "lifetime.warning", kind: next.warning, deadline: deadline! });
		}
		this.deps.publish(this.snapshot);
	}

	private expire(reason: "idle" | "expired", tellOthers: boolean): void {
		if (!this.active) return;
		this.active = false;
		this.timers.clear(this.trailing);
		if (tellOthers) this.deps.channel?.post({ type: "lifetime-expired", reason });
		this.deps.events?.emit({ type: "lifetime.expired", reason });
		this.update(undefined);
		this.deps.expire(reason);
	}

	/** Activity at `at`: moves the idle deadline, unless a warning shows and this is not `staySignedIn()`. */
	private noteActivity(at: number, stay: boolean): boolean {
		const { idle } = this;
		if (!this.active || !idle || this.disposed) return false;
		const now = this.deps.now();
		// Never past now: a tab's clock in the future must not keep the others signed in.
		const when = Math.min(at, now);
		if (when <= this.lastActivity) return false;
		if (!stay && this.warningAt(now) === "idle") return false;
		// Activity after the deadline cannot revive a session that has already run out here.
		if (now >= this.lastActivity + idle.timeoutMs) return false;
		this.lastActivity = when;
		return true;
	}

	/** Activity the DOM events do not show (`client.lifetime.reportActivity()`); `stay`: `staySignedIn()`. */
	reportActivity(stay = false): void {
		const moved = this.noteActivity(this.deps.now(), stay);
		if (stay && this.active) this.dismissedAbsolute = this.absoluteDeadline;
		// A dismissal is always told, even when the clock has not moved since the last activity.
		if (moved || (stay && this.active)) this.share(stay);
		this.check();
	}

	/** Tells the other tabs, at most once a second (the latest activity is sent at the end of that second). */
	private share(stay: boolean): void {
		const now = this.deps.now();
		if (stay || now - this.sharedAt >= shareEveryMs) {
			this.sharedAt = now;
			this.timers.clear(this.trailing);
			this.trailing = undefined;
			this.deps.channel?.post({ type: "lifetime-activity", at: this.lastActivity, stay });
			this.record.save(this.lastActivity, this.absoluteDeadline);
			return;
		}
		this.trailing ??= this.timers.set(() => {
			this.trailing = undefined;
			this.share(false);
		}, shareEveryMs - (now - this.sharedAt));
	}

	private hear(message: LifetimeMessage): void {
		if (this.disposed) return;
		switch (message.type) {
			case "lifetime-activity":
				this.noteActivity(message.at, message.stay);
				if (message.stay && this.active) this.dismissedAbsolute = this.absoluteDeadline;
				return this.check();
			case "lifetime-absolute":
				this.absoluteDeadline = message.deadline ?? undefined;
				return this.check();
			case "lifetime-expired":
				return this.expire(message.reason, false);
		}
	}

	/**
	 * A session is present. `fresh`: it was just signed in (its clock starts now); otherwise it continues what the tabs
	 * recorded (a reload does not reset the idle clock of a session that was left alone).
	 */
	start(fresh: boolean, tokens?: TokenSet): void {
		if (this.disposed) return;
		const now = this.deps.now();
		const stored = fresh ? {} : this.record.load();
		this.active = true;
		this.lastActivity = stored.activity !== undefined && stored.activity <= now ? stored.activity : now;
		this.dismissedAbsolute = undefined;
		this.absoluteDeadline = fresh ? undefined : stored.absolute;
		if (tokens) this.lastTokens = tokens;
		const limit = absoluteFrom(this.absolute, this.lastTokens);
		if (limit !== undefined || fresh) this.absoluteDeadline = limit;
		if (fresh) {
			this.deps.channel?.post({ type: "lifetime-activity", at: this.lastActivity, stay: true });
			this.sharedAt = now;
		}
		this.record.save(this.lastActivity, this.absoluteDeadline);
		this.check();
	}

	/** The session ended some other way (logout, a dead session): nothing left to time. */
	stop(): void {
		this.active = false;
		this.lastTokens = undefined;
		this.timers.clear(this.trailing);
		this.check();
	}

	/** New tokens (a refresh, a sign-in): the absolute limit may have moved. */
	tokens(tokens: TokenSet | undefined): void {
		this.lastTokens = tokens;
		if (!this.active || !this.absolute) return;
		const limit = absoluteFrom(this.absolute, tokens);
		if (limit === this.absoluteDeadline) return;
		this.absoluteDeadline = limit;
		this.deps.channel?.post({ type: "lifetime-absolute", deadline: limit ?? null });
		this.record.save(this.lastActivity, limit);
		this.check();
	}

	/** A change of the session: the clocks start with a session and stop with it. */
	follow(event: SessionEvent["type"]): void {
		// A new sign-in (here, or by re-authentication) starts them afresh; another tab's session continues the tabs' clocks.
		if (event === "signedIn" || event === "reauthenticated") this.start(true);
		else if (event === "adopted") this.start(false);
		else if (event === "signedOut") this.stop();
	}

	/** A request the app made. */
	requested(): void {
		if (this.idle?.countRequests !== false) this.reportActivity();
	}

	/** Dismisses the warning in every tab and refreshes once (shared by concurrent calls in this tab). */
	staySignedIn(): Promise<void> {
		if (!this.active || this.disposed) return Promise.resolve();
		this.reportActivity(true);
		this.stayFlight ??= this.deps
			.refresh()
			.then(
				() => undefined,
				() => undefined,
			)
			.finally(() => {
				this.stayFlight = undefined;
			});
		return this.stayFlight;
	}

	dispose(): void {
		this.disposed = true;
		this.active = false;
		this.timers.clear(this.timer);
		this.timers.clear(this.trailing);
		this.unsubscribe?.();
		this.unwatch?.();
	}
}

export function createLifetime(options: LifetimeOptions, deps: LifetimeDeps): Lifetime {
	return new Lifetime(options, deps);
}

/** The last activity and absolute limit, kept where every tab (and a reloaded one) reads them. */
function lifetimeRecord(storage: StorageLike | null | undefined, key: string | undefined) {
	return {
		save(activity: number, absolute: number | undefined): void {
			try {
				if (storage && key) storage.setItem(key, JSON.stringify({ activity, absolute: absolute ?? null }));
			} catch {
				// Storage full or denied: the channel still carries it to open tabs.
			}
		},
		load(): { activity?: number; absolute?: number } {
			try {
				const value = JSON.parse((storage && key && storage.getItem(key)) || "null") as { activity?: unknown; absolute?: unknown } | null;
				return {
					...(typeof value?.activity === "number" ? { activity: value.activity } : {}),
					...(typeof value?.absolute === "number" ? { absolute: value.absolute } : {}),
				};
			} catch {
				return {};
			}
		},
	};
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

