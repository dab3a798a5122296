import { disposedError } from "../core/deferred.js";
import { NetworkError, RefreshError, TimeoutError } from "../errors.js";
import type { TokenSet, TokenStore } from "../tokens/types.js";
import { isTokenSet } from "../tokens/tokenStores.js";
import { classifyRefreshError } from "./classifyRefreshError.js";
import { isHeaderValue } from "../auth/headerValue.js";

export type RefreshContext = {
	/** The refresh token in the store, or undefined when there is none (e.g. an HttpOnly refresh cookie). */
	refreshToken: string | undefined;
	/** Aborted when the refresh exceeds `refreshTimeoutMs` or the client is disposed. */
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
export type LockRunner = <T>(fn: () => Promise<T>) => Promise<T>;

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
	let inFlight: Promise<RefreshOutcome> | null = null;
	let calls = 0;

	// `epochAtStart` is the session generation when the refresh was asked for: a sign-in while it waited for the lock
	// or read the store makes everything it finds belong to the past.
	async function run(staleAccessToken: string | undefined, epochAtStart: number): Promise<RefreshOutcome> {
		// Re-read inside the lock: another tab (or an earlier flight) may already have replaced the stale token.
		const stored = await readSettled();
		if (stored && stored.accessToken !== staleAccessToken && isUsable(stored)) {
			return { type: "ok", tokens: stored, refreshed: false };
		}
		const refreshToken = stored?.refreshToken;
		if (refreshToken !== undefined && consumed.has(refreshToken)) {
			return { type: "rejected", cause: new RefreshError("The stored refresh token was already used"), staleAccessToken };
		}
		// A disposed client (a page that reloaded while waiting for the lock) starts nothing.
		if (disposeController.signal.aborted || (options.epoch && options.epoch() !== epochAtStart)) return { type: "superseded" };
		options.onStart?.();
		for (let attempt = 0; ; attempt++) {
			if (refreshToken !== undefined && consumed.has(refreshToken)) return { type: "rejected", staleAccessToken };
			const result = await attemptOnce(refreshToken, staleAccessToken, epochAtStart);
			// An older session's refresh token meeting a rejection says nothing about the session that replaced it.
			if (result.type === "done" && result.outcome.type === "rejected" && options.epoch && options.epoch() !== epochAtStart) {
				return { type: "superseded" };
			}
			if (result.type !== "retry") return result.outcome;
			if (attempt >= retryLimit || disposeController.signal.aborted) return { type: "failed", error: result.error };
			await sleep(Math.min(maxDelay, baseDelay * 2 ** attempt), disposeController.signal);
		}
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

	async function attemptOnce(
		refreshToken: string | undefined,
		staleAccessToken: string | undefined,
		epochAtStart: number,
	): Promise<{ type: "done"; outcome: RefreshOutcome } | { type: "retry"; error: NetworkError | TimeoutError }> {
		if (disposeController.signal.aborted) return { type: "done", outcome: { type: "superseded" } };
		const controller = new AbortController();
		let timer: ReturnType<typeof setTimeout> | undefined;
		let abort = () => {};
		const timedOut = new Promise<never>((_, reject) => {
			timer = setTimeout(() => {
				const error = new TimeoutError(`Token refresh timed out after ${timeoutMs} ms`);
				controller.abort(error);
				reject(error);
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
		try {
			const result = await Promise.race([refresh({ refreshToken, signal: controller.signal }), timedOut]);
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
			if (options.epoch && options.epoch() !== epochAtStart) return { type: "done", outcome: { type: "superseded" } };
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
		} finally {
			clearTimeout(timer);
			disposeController.signal.removeEventListener("abort", abort);
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
			if (inFlight) return untilDisposed(inFlight);
			const epochAtStart = options.epoch?.() ?? 0;
			const flight = lock(() => run(staleAccessToken, epochAtStart)).then(
				// Whatever an older session's refresh token met says nothing about the session that replaced it.
				(outcome): RefreshOutcome => (outcome.type === "rejected" && options.epoch && options.epoch() !== epochAtStart ? { type: "superseded" } : outcome),
				(error: unknown): RefreshOutcome => ({
					type: "failed",
					error: error instanceof TimeoutError || error instanceof NetworkError ? error : new RefreshError("Token refresh failed", { cause: safeCause(error) }),
				}),
			);
			inFlight = flight;
			void flight.then((outcome) => {
				inFlight = null;
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
