import type { TokenSet } from "../tokens/types.js";

/** Signs the session out after a stretch without activity in any tab. */
export type IdleOptions = {
	/** How long every tab may go without activity before the session ends with reason `"idle"`. */
	timeoutMs: number;
	/**
	 * How long before that `client.lifetime` shows `warning: "idle"`. While it shows, only `client.staySignedIn()` (or a
	 * new sign-in) extends the session: a mouse crossing the page or a background poll does not hide a warning unseen.
	 * @default 60_000, at most half of `timeoutMs`
	 */
	warnBeforeMs?: number;
	/** Whether the app's requests count as activity (a poll every minute would keep an idle session alive). @default true */
	countRequests?: boolean;
	/**
	 * Where pointer, key, wheel, touch and scroll events count as activity; `null` for none (report it yourself with
	 * `client.lifetime.reportActivity()`). @default document, where there is one
	 */
	activityTarget?: ActivityTarget | null;
};

/** The session's hard end, whatever the activity; the earliest of the sources given applies. */
export type AbsoluteLimit = {
	/** Ends the session when its refresh token does: the token response's `refresh_expires_in` (`TokenSet.refreshExpiresAt`). @default true */
	refreshExpiry?: boolean;
	/** With an ID token (`TokenSet.idToken`): its `auth_time` claim plus this (the OIDC `max_age` the app asked for). */
	maxAuthAgeMs?: number;
	/** The app's own limit (epoch ms) for these tokens (`undefined` in cookie mode, or before tokens are known). */
	deadline?: (tokens: TokenSet | undefined) => number | undefined;
	/** How long before the limit `client.lifetime` shows `warning: "absolute"`. @default 60_000 */
	warnBeforeMs?: number;
};

/** Where DOM activity is heard (`document`, `window`, an element). */
export type ActivityTarget = {
	addEventListener(type: string, listener: () => void, options?: { passive?: boolean; capture?: boolean }): void;
	removeEventListener(type: string, listener: () => void, options?: { capture?: boolean }): void;
};

export type LifetimeSnapshot = {
	/** When the session ends for inactivity (epoch ms), or undefined without `idle` or a session. */
	readonly idleDeadline: number | undefined;
	/** When it ends whatever the activity (epoch ms), or undefined when no limit is known. */
	readonly absoluteDeadline: number | undefined;
	/** Which deadline is close: show a "stay signed in?" prompt. */
	readonly warning: "idle" | "absolute" | null;
};

/** A store like `client.session`: `subscribe` + `getSnapshot`, for `useSyncExternalStore`. */
export type LifetimeStore = {
	getSnapshot(): LifetimeSnapshot;
	subscribe(listener: (snapshot: LifetimeSnapshot) => void): () => void;
	/** Activity the DOM events do not show (a video playing, a form autosaving on the user's behalf). */
	reportActivity(): void;
};

export type LifetimeOptions = { idle?: IdleOptions | undefined; absolute?: AbsoluteLimit | undefined };

/** Throws a TypeError naming the option for what cannot be a lifetime setting. */
export function checkLifetimeOptions({ idle, absolute }: LifetimeOptions): void {
	// [option, value, required, smallest allowed]
	const checks: [string, unknown, boolean, number][] = [
		["idle.timeoutMs", idle?.timeoutMs, idle !== undefined, 1],
		["idle.warnBeforeMs", idle?.warnBeforeMs, false, 0],
		["absolute.maxAuthAgeMs", absolute?.maxAuthAgeMs, false, 1],
		["absolute.warnBeforeMs", absolute?.warnBeforeMs, false, 0],
	];
	for (const [name, value, required, least] of checks) {
		if ((required || value !== undefined) && !(typeof value === "number" && value >= least && value < Infinity)) {
			throw new TypeError(`${name} must be a number of milliseconds ≥ ${least}, got ${String(value)}`);
		}
	}
	// lifetime.ts would silently cut such a warning to half the timeout: a guess at what the app meant, so refuse it.
	if (idle?.warnBeforeMs !== undefined && idle.warnBeforeMs >= idle.timeoutMs) {
		throw new TypeError(`idle.warnBeforeMs must be less than idle.timeoutMs (${idle.timeoutMs}), got ${idle.warnBeforeMs}`);
	}
	if (absolute?.deadline !== undefined && typeof absolute.deadline !== "function") throw new TypeError(`absolute.deadline must be a function, got ${typeof absolute.deadline}`);
}
