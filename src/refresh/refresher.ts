import { disposedError } from "../core/deferred.js";
import { NetworkError, RefreshError, TimeoutError } from "../errors.js";
import type { TokenSet, TokenStore } from "../tokens/types.js";
import { isTokenSet } from "../tokens/tokenStores.js";
import { classifyRefreshError } from "./classifyRefreshError.js";
import { isHeaderValue } from "../auth/headerValue.js";

export type RefreshContext = {
	/** The refresh token in the store, or undefined when there is none (e.g. an HttpOnly refresh cookie). */
	refreshToken: string | undefined;
	/**
	 * Aborted when the refresh exceeds `refreshTimeoutMs` or the client is disposed. A call that ignores it is still
	 * waited for (up to another `refreshTimeoutMs`) before its refresh token is passed to `refresh` again.
	 */
	signal: AbortSignal;
};

/**
 * Exchanges a refresh token for new tokens.
 * Return `null` (or throw an error with `status` 400/401, such as ky's `HTTPError` for `invalid_grant`) when the
 * credential is dead; throw a fetch `TypeError`, a timeout or a 5xx error for a network failure.
 */
export type RefreshFunction = (context: RefreshContext) => Promise<TokenSet | null | undefined>;

export type RefreshRetryOptions = {
	/** Retries after the first network failure. @default 2 */
	limit?: number;
	/** First backoff delay, doubled after each failure. @default 300 */
	delayMs?: number;
	/** @default 5_000 */
	maxDelayMs?: number;
};

/** Runs `fn` holding a lock shared by every tab of the app (see `tabs`), or just runs it. */
/** Runs `fn` holding a cross-tab lock. `signal` gives up waiting for the lock (a disposed client never takes it). */
export type LockRunner = <T>(fn: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

export type RefreshOutcome =
	| { type: "ok"; tokens: TokenSet; refreshed: boolean }
	| { type: "rejected"; cause?: unknown; staleAccessToken?: string | undefined }
	| { type: "failed"; error: NetworkError | TimeoutError | RefreshError }
	/** The session changed while refreshing (sign-out, another sign-in): the result was dropped, never stored. */
	| { type: "superseded" };

export type RefresherOptions = {
	store: TokenStore;
	refresh: RefreshFunction;
	retry?: RefreshRetryOptions | undefined;
	timeoutMs?: number | undefined;
	lock?: LockRunner | undefined;
	/** Whether tokens found in the store are fresh enough to use without refreshing. */
	isUsable: (tokens: TokenSet) => boolean;
	/**
	 * True when another tab has announced that it rotated this refresh token away. localStorage reaches other
	 * tabs a moment after a write, so the next lock holder can read tokens that are already spent.
	 */
	rotatedElsewhere?: (refreshToken: string) => boolean;
	/** How long the lock holder keeps the lock after storing new tokens, so the write reaches other tabs first. @default 0 */
	settleMs?: number;
	/** The session's generation: a refresh that outlives a sign-out or a newer sign-in must not write its tokens back. */
	epoch?: () => number;
	/** Calls `listener` whenever the session may have moved past a generation (sign-out, sign-in); returns an unsubscribe. */
	watch?: (listener: () => void) => () => void;
	/**
	 * Stores refreshed tokens unless the session has moved past `generation` (then resolves false and stores nothing).
	 * @default store.set
	 */
	write?: (tokens: TokenSet, generation: number) => Promise<boolean>;
	onStart?: () => void;
	onStored?: (tokens: TokenSet, rotated: string | undefined) => void;
	onSettled?: (outcome: RefreshOutcome) => void;
};

const noLock: LockRunner = (fn) => fn();

type Attempt = { type: "done"; outcome: RefreshOutcome } | { type: "retry"; error: NetworkError | TimeoutError };
type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };
/** A call that timed out and has not settled: the server may still rotate the refresh token it presented. */
type Unsettled = {
	/** The session generation of the flight that made the call. */
	epoch: number;
	error: TimeoutError;
	/** Until when (epoch ms) a refresh waits for it before giving up. */
	deadline: number;
	/** Its answer, concluded (stored, if a success) as if it had come in time. */
	result: Promise<Attempt>;
	/** The call has answered and its answer is being concluded (stored): that is waited for, deadline or not. */
	answered: boolean;
};

/**
 * Single-flight refresh. Every caller during a refresh shares one promise; a caller whose stale token has
 * already been replaced gets the current tokens without another refresh; a refresh token that was
 * rotated away is never sent again.
 */
export function createRefresher(options: RefresherOptions) {
	const { store, refresh, isUsable } = options;
	const retryLimit = options.retry?.limit ?? 2;
	const baseDelay = options.retry?.delayMs ?? 300;
	const maxDelay = options.retry?.maxDelayMs ?? 5_000;
	const timeoutMs = options.timeoutMs ?? 10_000;
	const lock = options.lock ?? noLock;
	// Refresh tokens that a successful refresh rotated away. Kept in memory only, never logged.
	const consumed = new Set<string>();
	const disposeController = new AbortController();
	// Calls that timed out and have not settled, by the refresh token they presented: none is presented again meanwhile.
	const unsettled = new Map<string | undefined, Unsettled>();
	let inFlight: { flight: Promise<RefreshOutcome>; epoch: number } | null = null;
	// While this tab holds the lock (a flight, or its hold on a call that may still answer), its next flights run inside
	// that hold instead of queueing behind it.
	let holder: { jobs: (() => Promise<void>)[]; wake: () => void } | undefined;
	let calls = 0;

	// `epochAtStart` is the session generation when the refresh was asked for: a sign-in while it waited for the lock
	// or read the store makes everything it finds belong to the past.
	async function run(staleAccessToken: string | undefined, epochAtStart: number): Promise<RefreshOutcome> {
		// Re-read inside the lock: another tab (or an earlier flight) may already have replaced the stale token.
		const stored = await readSettled();
		// A disposed client (a page that reloaded while waiting for the lock) starts nothing, and what a sign-in or sign-out
		// left in the store is not this flight's to hand out.
		if (disposeController.signal.aborted || moved(epochAtStart)) return { type: "superseded" };
		if (stored && stored.accessToken !== staleAccessToken && isUsable(stored)) {
			return { type: "ok", tokens: stored, refreshed: false };
		}
		let refreshToken = stored?.refreshToken;
		// A timed-out call with this token may be answering right now: its answer comes first (it may be what rotated it).
		if (pendingCall(refreshToken, epochAtStart)) {
			const instead = await waitForEarlier(refreshToken, epochAtStart, 0);
			if (instead) return instead;
		}
		if (refreshToken !== undefined && consumed.has(refreshToken)) {
			// A late answer is stored outside any flight: this read may have begun before its write landed. One more look,
			// and the newer tokens it finds are used, or refreshed with their own refresh token.
			const again = await readSettled();
			if (again?.refreshToken === undefined || consumed.has(again.refreshToken)) {
				return { type: "rejected", cause: new RefreshError("The stored refresh token was already used"), staleAccessToken };
			}
			if (again.accessToken !== staleAccessToken && isUsable(again)) return { type: "ok", tokens: again, refreshed: false };
			refreshToken = again.refreshToken;
		}
		if (disposeController.signal.aborted || moved(epochAtStart)) return { type: "superseded" };
		options.onStart?.();
		for (let attempt = 0; ; attempt++) {
			// Never beside a call that presented the same refresh token, timed out and may still answer (see waitForEarlier).
			const backoff = attempt === 0 ? 0 : Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
			if (backoff > 0 || pendingCall(refreshToken, epochAtStart)) {
				const instead = await waitForEarlier(refreshToken, epochAtStart, backoff);
				if (instead) return instead;
			}
			if (refreshToken !== undefined && consumed.has(refreshToken)) return { type: "rejected", staleAccessToken };
			const result = await attemptOnce(refreshToken, staleAccessToken, epochAtStart);
			// An older session's refresh token meeting a rejection says nothing about the session that replaced it.
			if (result.type === "done" && result.outcome.type === "rejected" && moved(epochAtStart)) return { type: "superseded" };
			if (result.type !== "retry") return result.outcome;
			if (attempt >= retryLimit || disposeController.signal.aborted) {
				// The last call may still answer as well: what it rotated is stored before the lock is let go. If it does not,
				// no retry was refused: the refresh failed by its timeout.
				return (await waitForEarlier(refreshToken, epochAtStart, 0, result.error)) ?? { type: "failed", error: result.error };
			}
		}
	}

	/**
	 * Waits `minMs` (the backoff) and, while a call that presented `refreshToken` has timed out without settling, for that
	 * call: a refresh function that ignores its signal may still reach the server, which then rotates the token. Its
	 * answer counts as if it had come in time; it has until `refreshTimeoutMs` after its timeout (or the end of the
	 * backoff, if later) to give it. Resolves with the outcome to settle on instead of calling again, or undefined to call.
	 * Without an answer by then, fails with `unanswered`, by default a RefreshError: the call it would make is refused.
	 */
	async function waitForEarlier(
		refreshToken: string | undefined,
		epochAtStart: number,
		minMs: number,
		unanswered?: NetworkError | TimeoutError,
	): Promise<RefreshOutcome | undefined> {
		const callAt = Date.now() + minMs;
		const earlier = pendingCall(refreshToken, epochAtStart);
		if (earlier) {
			const waited = await until(earlier, Math.max(callAt, earlier.deadline) - Date.now(), epochAtStart);
			// A sign-out or a sign-in: the late answer will not be stored, and nothing is left to wait for.
			if (waited === "moved") return { type: "superseded" };
			if (waited === "disposed") {
				// Callers have been let go. Like a call under way at disposal, the lock is kept until the call settles: a
				// rotation the server made is stored before another tab may read the store.
				await earlier.result;
				return { type: "superseded" };
			}
			if (waited === "expired") {
				// Calling again could present a refresh token the server is rotating right now (reuse detection revokes
				// the session). Until the call settles, every refresh with this token ends here.
				const error =
					unanswered ?? new RefreshError("Token refresh timed out and has not settled; its refresh token is not sent again until it does", { cause: earlier.error });
				return { type: "failed", error };
			}
			if (waited.type === "done" && earlier.epoch === epochAtStart) return waited.outcome;
			if (moved(epochAtStart)) return { type: "superseded" };
		}
		const rest = callAt - Date.now();
		if (rest > 0) await sleep(rest, disposeController.signal);
		return undefined;
	}

	/**
	 * The timed-out call that presented `refreshToken` and has not settled, if any. Without a refresh token (an HttpOnly
	 * refresh cookie) only the same session's call counts: a sign-in since then brought another cookie.
	 */
	function pendingCall(refreshToken: string | undefined, epochAtStart: number): Unsettled | undefined {
		const entry = unsettled.get(refreshToken);
		return entry && (refreshToken !== undefined || entry.epoch === epochAtStart) ? entry : undefined;
	}

	/**
	 * Waits for the call's conclusion at most `ms` (unless it has answered by then: storing its answer is waited for), and
	 * not past a disposal or a change of session.
	 */
	function until(call: Unsettled, ms: number, epochAtStart: number): Promise<Attempt | "expired" | "moved" | "disposed"> {
		const signal = disposeController.signal;
		if (signal.aborted) return Promise.resolve("disposed");
		if (moved(epochAtStart)) return Promise.resolve("moved");
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				if (!call.answered) finish("expired");
			}, Math.max(0, ms));
			const onDispose = () => finish("disposed");
			signal.addEventListener("abort", onDispose, { once: true });
			const unwatch = options.watch?.(() => {
				if (moved(epochAtStart)) finish("moved");
			});
			void call.result.then(finish);
			function finish(value: Attempt | "expired" | "moved" | "disposed") {
				clearTimeout(timer);
				signal.removeEventListener("abort", onDispose);
				unwatch?.();
				resolve(value);
			}
		});
	}

	function moved(epochAtStart: number): boolean {
		return options.epoch !== undefined && options.epoch() !== epochAtStart;
	}

	// A stored refresh token that another tab announced as rotated means our copy of the store lags behind:
	// wait for the write to arrive (bounded) rather than present a spent token.
	async function readSettled(): Promise<TokenSet | null> {
		let stored = (await store.get()) ?? null;
		for (let waited = 0; stored?.refreshToken !== undefined && options.rotatedElsewhere?.(stored.refreshToken) && waited < 2_000; waited += 20) {
			await sleep(20, disposeController.signal);
			stored = (await store.get()) ?? null;
		}
		if (stored?.refreshToken !== undefined && options.rotatedElsewhere?.(stored.refreshToken)) consumed.add(stored.refreshToken);
		return stored;
	}

	async function attemptOnce(refreshToken: string | undefined, staleAccessToken: string | undefined, epochAtStart: number): Promise<Attempt> {
		if (disposeController.signal.aborted) return { type: "done", outcome: { type: "superseded" } };
		const controller = new AbortController();
		let timer: ReturnType<typeof setTimeout> | undefined;
		let abort = () => {};
		const timedOut = new Promise<TimeoutError>((resolve) => {
			timer = setTimeout(() => {
				const error = new TimeoutError(`Token refresh timed out after ${timeoutMs} ms`);
				controller.abort(error);
				resolve(error);
			}, timeoutMs);
			// Disposal stops the timer and tells the refresh function to stop. The lock stays held until it does: a
			// refresh the server may already have rotated must be stored before another tab may read the store.
			abort = () => {
				clearTimeout(timer);
				controller.abort(disposedError());
			};
		});
		disposeController.signal.addEventListener("abort", abort);
		calls++;
		// A synchronous throw counts as a rejection.
		const call = new Promise<unknown>((resolve) => resolve(refresh({ refreshToken, signal: controller.signal }))).then(
			(value): Settled => ({ ok: true, value }),
			(error: unknown): Settled => ({ ok: false, error }),
		);
		let first: Settled | TimeoutError;
		try {
			first = await Promise.race([call, timedOut]);
		} finally {
			clearTimeout(timer);
			disposeController.signal.removeEventListener("abort", abort);
		}
		if (!(first instanceof TimeoutError)) return conclude(first, refreshToken, staleAccessToken, epochAtStart, false);
		const error = first;
		// A refresh function that ignores its signal (axios without one, a hand-rolled XHR) is still under way, and the
		// server may yet rotate `refreshToken`. Its answer is kept: it decides what happens next (waitForEarlier), and a
		// success is stored as if it had come in time, whenever it comes, unless the session has moved on.
		const entry: Unsettled = {
			epoch: epochAtStart,
			error,
			deadline: Date.now() + timeoutMs,
			answered: false,
			result: call.then((settled) => {
				entry.answered = true;
				return conclude(settled, refreshToken, staleAccessToken, epochAtStart, true);
			}),
		};
		unsettled.set(refreshToken, entry);
		void entry.result.then(() => {
			if (unsettled.get(refreshToken) === entry) unsettled.delete(refreshToken);
		});
		return { type: "retry", error };
	}

	/** What a call's answer means, in time or late. Never rejects. */
	async function conclude(
		settled: Settled,
		refreshToken: string | undefined,
		staleAccessToken: string | undefined,
		epochAtStart: number,
		late: boolean,
	): Promise<Attempt> {
		try {
			if (!settled.ok) throw settled.error;
			const result = settled.value;
			if (result === null || result === undefined) return { type: "done", outcome: { type: "rejected", staleAccessToken } };
			if (!isTokenSet(result) || !isHeaderValue(result.accessToken)) {
				// The server may have rotated the token before answering garbage: never send it again.
				if (refreshToken !== undefined) consumed.add(refreshToken);
				return {
					type: "done",
					outcome: { type: "failed", error: new RefreshError("The refresh function returned an invalid token set") },
				};
			}
			// Without a new refresh token the server does not rotate (RFC 6749 §6): keep the old one.
			const next: TokenSet = { ...result, refreshToken: result.refreshToken ?? refreshToken };
			if (refreshToken !== undefined && next.refreshToken !== refreshToken) consumed.add(refreshToken);
			if (moved(epochAtStart)) return { type: "done", outcome: { type: "superseded" } };
			// A late answer may come after its flight let go of the lock: it never replaces tokens that replaced the ones it
			// presented (another tab's refresh).
			if (late && refreshToken !== undefined && (await store.get())?.refreshToken !== refreshToken) {
				return { type: "done", outcome: { type: "superseded" } };
			}
			// Stored before any waiting request is retried, so a retry can never race an older token.
			const stored = options.write ? await options.write(next, epochAtStart) : (await store.set(next), true);
			if (!stored) return { type: "done", outcome: { type: "superseded" } };
			const rotated = refreshToken !== undefined && next.refreshToken !== refreshToken ? refreshToken : undefined;
			// Announced while still holding the lock, so the next holder can tell a stale read from a fresh one.
			options.onStored?.(next, rotated);
			if (options.settleMs) await sleep(options.settleMs, disposeController.signal);
			return { type: "done", outcome: { type: "ok", tokens: next, refreshed: true } };
		} catch (error) {
			if (disposeController.signal.aborted) return { type: "done", outcome: { type: "superseded" } };
			const kind = classifyRefreshError(error);
			if (kind === "rejected") return { type: "done", outcome: { type: "rejected", cause: safeCause(error), staleAccessToken } };
			// A refresh that failed in an unknown way may have been rotated by the server: never send it again.
			if (kind === "invalid" && refreshToken !== undefined) consumed.add(refreshToken);
			if (kind === "timeout") {
				return { type: "retry", error: error instanceof TimeoutError ? error : new TimeoutError("Token refresh timed out", { cause: safeCause(error) }) };
			}
			if (kind === "network") {
				return { type: "retry", error: new NetworkError("Token refresh failed: the network or the server is unavailable", { cause: safeCause(error) }) };
			}
			return {
				type: "done",
				outcome: { type: "failed", error: new RefreshError("Token refresh failed", { cause: safeCause(error) }) },
			};
		}
	}

	/**
	 * Runs flights while holding the lock. Callers have their answer when a flight ends, but the lock is held on while a
	 * call of this session may still rotate a refresh token (it timed out, and its function ignores the signal): another
	 * tab would present that token. Meanwhile this tab's next flights run inside the hold. A sign-in or sign-out ends it;
	 * a disposal does not (a rotation the server made is stored before another tab may read the store).
	 */
	async function hold(first: () => Promise<void>): Promise<void> {
		const state: NonNullable<typeof holder> = { jobs: [first], wake: () => {} };
		holder = state;
		try {
			for (;;) {
				while (state.jobs.length > 0) await state.jobs.shift()!();
				const epoch = options.epoch?.() ?? 0;
				const pending = [...unsettled.values()].filter((call) => call.epoch === epoch);
				if (pending.length === 0) return;
				await new Promise<void>((wake) => {
					let unwatch: (() => void) | undefined;
					state.wake = () => {
						unwatch?.();
						wake();
					};
					unwatch = options.watch?.(() => state.wake());
					void Promise.all(pending.map((call) => call.result)).then(() => state.wake());
				});
			}
		} finally {
			holder = undefined;
		}
	}

	// Callers stop waiting the moment the client is disposed, whatever the refresh function does.
	const disposed = new Promise<RefreshOutcome>((resolve) =>
		disposeController.signal.addEventListener("abort", () => resolve({ type: "superseded" }), { once: true }),
	);
	const untilDisposed = (flight: Promise<RefreshOutcome>) => Promise.race([flight, disposed]);

	return {
		/** Refreshes unless `staleAccessToken` was already replaced; concurrent callers share one flight. */
		refresh(staleAccessToken: string | undefined): Promise<RefreshOutcome> {
			if (disposeController.signal.aborted) return Promise.resolve({ type: "superseded" });
			const epochAtStart = options.epoch?.() ?? 0;
			// A flight of an older session is not joined: what it finds is not this session's.
			if (inFlight?.epoch === epochAtStart) return untilDisposed(inFlight.flight);
			const flight = new Promise<RefreshOutcome>((answer) => {
				const failed = (error: unknown) =>
					answer({
						type: "failed",
						error: error instanceof TimeoutError || error instanceof NetworkError ? error : new RefreshError("Token refresh failed", { cause: safeCause(error) }),
					});
				const job = () => run(staleAccessToken, epochAtStart).then(answer, failed);
				if (lock === noLock) return void job();
				if (holder) {
					holder.jobs.push(job);
					holder.wake();
					return;
				}
				lock(() => hold(job), disposeController.signal).catch(failed);
			}).then(
				// Whatever an older session's refresh token met says nothing about the session that replaced it.
				(outcome): RefreshOutcome => (outcome.type === "rejected" && options.epoch && options.epoch() !== epochAtStart ? { type: "superseded" } : outcome),
			);
			const entry = { flight, epoch: epochAtStart };
			inFlight = entry;
			void flight.then((outcome) => {
				if (inFlight === entry) inFlight = null;
				if (!disposeController.signal.aborted) options.onSettled?.(outcome);
			});
			return untilDisposed(flight);
		},
		get inFlight() {
			return inFlight !== null;
		},
		/** How many times the refresh function was called. */
		get calls() {
			return calls;
		},
		dispose() {
			disposeController.abort();
		},
	};
}

/**
 * What an error of the refresh function may keep as `cause`: its name, message and status. An HTTP client's error
 * holds the request it sent, and with it the refresh token or a client secret.
 */
function safeCause(error: unknown): unknown {
	if (typeof error !== "object" || error === null) return error;
	const { name, message } = error as { name?: unknown; message?: unknown };
	const status = (error as { status?: unknown; response?: { status?: unknown } }).status ?? (error as { response?: { status?: unknown } }).response?.status;
	return { name: typeof name === "string" ? name : "Error", message: typeof message === "string" ? message : "", ...(typeof status === "number" ? { status } : {}) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	// An aborted signal never fires again: no timer is left behind.
	if (signal.aborted) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		signal.addEventListener("abort", done, { once: true });
		function done() {
			clearTimeout(timer);
			signal.removeEventListener("abort", done);
			resolve();
		}
	});
}
