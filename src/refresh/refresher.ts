import { NetworkError, RefreshError, TimeoutError } from "../errors.js";
import type { EventHub } from "../events/events.js";
import type { LockRunner } from "../tabs/lockRunner.js";
import type { TokenLock } from "../tabs/tokenLock.js";
import type { TokenSet, TokenStore } from "../tokens/types.js";
import { refreshAttempts } from "./attempt.js";
import { lateCalls } from "./lateCalls.js";
import { lockHold } from "./lockHold.js";
import { rotationMemory } from "./rotationMemory.js";
import { safeCause } from "./safeCause.js";
import { tokenClaims } from "./tokenClaims.js";
import { detachedSession, type RefreshFunction, type RefreshOutcome, type RefreshRetryOptions, type RefreshSession } from "./types.js";

export type { RefreshContext, RefreshFunction, RefreshOutcome, RefreshRetryOptions } from "./types.js";

export type RefresherOptions = {
	store: Pick<TokenStore, "get" | "set">;
	refresh: RefreshFunction;
	retry?: RefreshRetryOptions | undefined;
	timeoutMs?: number | undefined;
	lock?: LockRunner | undefined;
	/** The right to present a refresh token, shared by the tabs: taken before presenting it, kept until its answer is stored. */
	tokenLock?: TokenLock | undefined;
	events?: EventHub | undefined;
	/** Whether tokens found in the store are fresh enough to use without refreshing. */
	isUsable: (tokens: TokenSet) => boolean;
	/** True when another tab has announced that it rotated this refresh token away. */
	rotatedElsewhere?: (refreshToken: string) => boolean;
	/** How long the lock holder keeps the lock after storing new tokens, so the write reaches other tabs first. @default 0 */
	settleMs?: number;
	/** The session whose generation results are checked against, and that hears of starts, stores and failures. */
	session?: RefreshSession;
	/**
	 * Stores refreshed tokens unless the session has moved past `generation` (then resolves false and stores nothing).
	 * @default store.set
	 */
	write?: (tokens: TokenSet, generation: number) => Promise<boolean>;
};

const noLock: LockRunner = (fn) => fn();
// Another tab's hung or frozen refresh stalls this tab's requests at most this long (issue 22: ≤ 10 s), lock wait included.
const stallBoundMs = 9_000;

/**
 * Single-flight refresh. Every caller during a refresh shares one promise; a caller whose stale token has already been
 * replaced gets the current tokens without another refresh; a refresh token that was rotated away is never sent again.
 * The session hears how it went (`refreshStarted`, `refreshStored`, `refreshFailed`) before any waiting request resumes.
 */
export function createRefresher(options: RefresherOptions) {
	const { store, isUsable } = options;
	const session = options.session ?? detachedSession;
	const retryLimit = options.retry?.limit ?? 2;
	const baseDelay = options.retry?.delayMs ?? 300;
	const maxDelay = options.retry?.maxDelayMs ?? 5_000;
	const timeoutMs = options.timeoutMs ?? 10_000;
	const lock = options.lock ?? noLock;
	const disposeController = new AbortController();
	const signal = disposeController.signal;
	const read = async () => (await store.get()) ?? null;
	const memory = rotationMemory(read, options.rotatedElsewhere, signal);
	const late = lateCalls(timeoutMs, session, signal);
	const holds = lockHold(late, session);
	const write = options.write ?? (async (tokens: TokenSet) => (await store.set(tokens), true));
	const calls = refreshAttempts({ refresh: options.refresh, timeoutMs, read, write, settleMs: options.settleMs ?? 0, memory, late, session, signal, events: options.events });
	const claims = tokenClaims(options.tokenLock, late, signal);
	let inFlight: { flight: Promise<RefreshOutcome>; epoch: number } | null = null;
	// `epoch` is the session generation when the refresh was asked for: a sign-in while it waited for the lock or read
	// the store makes everything it finds belong to the past.
	const moved = (epoch: number) => signal.aborted || session.generation !== epoch;

	async function run(staleAccessToken: string | undefined, epoch: number, askedAt: number): Promise<RefreshOutcome> {
		// Re-read inside the lock: another tab (or an earlier flight) may already have replaced the stale token.
		const stored = await memory.readSettled();
		// A disposed client (a page that reloaded while waiting for the lock) starts nothing, and what a sign-in or sign-out
		// left in the store is not this flight's to hand out.
		if (moved(epoch)) return { type: "superseded" };
		if (stored && stored.accessToken !== staleAccessToken && isUsable(stored)) return { type: "ok", tokens: stored, refreshed: false };
		let refreshToken = stored?.refreshToken;
		// A timed-out call with this token may be answering right now: its answer comes first (it may be what rotated it).
		if (late.pending(refreshToken, epoch)) {
			const instead = await late.waitForEarlier(refreshToken, epoch, 0);
			if (instead) return instead;
		}
		if (refreshToken !== undefined && memory.spent(refreshToken)) {
			// A late answer is stored outside any flight: this read may have begun before its write landed. One more look,
			// and the newer tokens it finds are used, or refreshed with their own refresh token.
			const again = await memory.readSettled();
			if (again?.refreshToken === undefined || memory.spent(again.refreshToken)) {
				return { type: "rejected", cause: new RefreshError("The stored refresh token was already used"), staleAccessToken };
			}
			if (again.accessToken !== staleAccessToken && isUsable(again)) return { type: "ok", tokens: again, refreshed: false };
			refreshToken = again.refreshToken;
		}
		if (moved(epoch)) return { type: "superseded" };
		const claim = await claims.take(refreshToken, askedAt + stallBoundMs);
		// Still held elsewhere: a call with this token may be under way in another tab (hung, or its tab frozen).
		if (claim === null) return { type: "failed", error: new RefreshError("Another tab's refresh with this refresh token has not settled") };
		if (claim === undefined) return present(refreshToken, staleAccessToken, epoch);
		try {
			// The tab that held it may have stored what it got meanwhile: that is used, and this token never presented.
			const again = await memory.readSettled();
			if (moved(epoch)) return { type: "superseded" };
			if (again?.refreshToken !== refreshToken) {
				return again && again.accessToken !== staleAccessToken && isUsable(again) ? { type: "ok", tokens: again, refreshed: false } : { type: "superseded" };
			}
			return await present(refreshToken, staleAccessToken, epoch);
		} finally {
			claims.give(refreshToken, epoch, claim);
		}
	}

	/** Presents `refreshToken`, retrying network failures and timeouts with backoff. */
	async function present(refreshToken: string | undefined, staleAccessToken: string | undefined, epoch: number): Promise<RefreshOutcome> {
		session.dispatch({ type: "refreshStarted" });
		for (let attempt = 0; ; attempt++) {
			// Never beside a call that presented the same refresh token, timed out and may still answer (see waitForEarlier).
			const backoff = attempt === 0 ? 0 : Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
			if (backoff > 0 || late.pending(refreshToken, epoch)) {
				const instead = await late.waitForEarlier(refreshToken, epoch, backoff);
				if (instead) return instead;
			}
			if (refreshToken !== undefined && memory.spent(refreshToken)) return { type: "rejected", staleAccessToken };
			const result = await calls.attempt(refreshToken, staleAccessToken, epoch, attempt + 1);
			// An older session's refresh token meeting a rejection says nothing about the session that replaced it.
			if (result.type === "done" && result.outcome.type === "rejected" && session.generation !== epoch) return { type: "superseded" };
			if (result.type !== "retry") return result.outcome;
			if (attempt >= retryLimit || signal.aborted) {
				// The last call may still answer as well: what it rotated is stored before the lock is let go. If it does not,
				// no retry was refused: the refresh failed by its timeout.
				return (await late.waitForEarlier(refreshToken, epoch, 0, result.error)) ?? { type: "failed", error: result.error };
			}
		}
	}

	// Callers stop waiting the moment the client is disposed, whatever the refresh function does. A listener per caller,
	// removed once the flight ends: nothing keeps a settled flight's tokens alive until disposal.
	const untilDisposed = (flight: Promise<RefreshOutcome>) =>
		new Promise<RefreshOutcome>((resolve) => {
			const onDispose = () => resolve({ type: "superseded" });
			signal.addEventListener("abort", onDispose, { once: true });
			void flight.then(resolve).finally(() => signal.removeEventListener("abort", onDispose));
		});

	function fly(staleAccessToken: string | undefined, epoch: number): Promise<RefreshOutcome> {
		const askedAt = Date.now();
		return new Promise<RefreshOutcome>((answer) => {
			const failed = (error: unknown) =>
				answer({
					type: "failed",
					error: error instanceof TimeoutError || error instanceof NetworkError ? error : new RefreshError("Token refresh failed", { cause: safeCause(error) }),
				});
			const job = () => run(staleAccessToken, epoch, askedAt).then(answer, failed);
			if (lock === noLock) return void job();
			if (!holds.join(job)) lock(() => holds.hold(job), signal).catch(failed);
		}).then(
			// Whatever an older session's refresh token met says nothing about the session that replaced it.
			(outcome): RefreshOutcome => (outcome.type === "rejected" && session.generation !== epoch ? { type: "superseded" } : outcome),
		);
	}

	return {
		/** Refreshes unless `staleAccessToken` was already replaced; concurrent callers share one flight. */
		refresh(staleAccessToken: string | undefined): Promise<RefreshOutcome> {
			if (signal.aborted) return Promise.resolve({ type: "superseded" });
			const epoch = session.generation;
			// A flight of an older session is not joined: what it finds is not this session's.
			if (inFlight?.epoch === epoch) return untilDisposed(inFlight.flight);
			const entry = { flight: fly(staleAccessToken, epoch), epoch };
			inFlight = entry;
			void entry.flight.then((outcome) => {
				if (inFlight === entry) inFlight = null;
				// Runs before any waiting request resumes, so they all see the outcome's state.
				if (signal.aborted || outcome.type === "ok") return;
				session.dispatch({ type: "refreshFailed", dead: outcome.type === "rejected", credential: outcome.type === "rejected" ? outcome.staleAccessToken : undefined });
			});
			return untilDisposed(entry.flight);
		},
		get inFlight() {
			return inFlight !== null;
		},
		/** How many times the refresh function was called. */
		get calls() {
			return calls.calls;
		},
		dispose() {
			disposeController.abort();
		},
	};
}
