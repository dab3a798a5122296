import { disposedError } from "../core/disposedError.js";
import type { EventHub } from "../events/events.js";
import { isHeaderValue } from "../core/headerValue.js";
import { sleep } from "../core/sleep.js";
import { NetworkError, RefreshError, TimeoutError } from "../errors.js";
import { fingerprint } from "../session/fingerprint.js";
import { isTokenSet } from "../tokens/tokenStores.js";
import type { TokenSet } from "../tokens/types.js";
import { classifyRefreshError, statusOf, type RefreshFailureKind } from "./classifyRefreshError.js";
import type { LateCalls } from "./lateCalls.js";
import type { RotationMemory } from "./rotationMemory.js";
import { safeCause } from "./safeCause.js";
import type { Attempt, RefreshFunction, RefreshSession, Settled } from "./types.js";

export type AttemptOptions = {
	refresh: RefreshFunction;
	timeoutMs: number;
	read(): Promise<TokenSet | null | undefined>;
	/** Stores refreshed tokens unless the session has moved past `generation`; resolves whether it did. */
	write(tokens: TokenSet, generation: number): Promise<boolean>;
	/** How long the lock holder keeps the lock after storing new tokens, so the write reaches other tabs first. */
	settleMs: number;
	memory: RotationMemory;
	late: LateCalls;
	session: RefreshSession;
	signal: AbortSignal;
	events?: EventHub | undefined;
};

/** Which call this is within its refresh (1, 2, …), and when it went out: what its events report. */
type CallMeta = { attempt: number; startedAt: number };

/** One call of the refresh function, bounded by `timeoutMs`, and what its answer means (in time or late). */
export function refreshAttempts(options: AttemptOptions) {
	const { refresh, timeoutMs, memory, session, signal } = options;
	let calls = 0;

	async function attempt(refreshToken: string | undefined, staleAccessToken: string | undefined, epoch: number, index = 1): Promise<Attempt> {
		if (signal.aborted) return { type: "done", outcome: { type: "superseded" } };
		const meta: CallMeta = { attempt: index, startedAt: Date.now() };
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
		signal.addEventListener("abort", abort);
		calls++;
		options.events?.emit({ type: "refresh.started", attempt: index });
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
			signal.removeEventListener("abort", abort);
		}
		if (!(first instanceof TimeoutError)) return conclude(first, refreshToken, staleAccessToken, epoch, false, meta);
		told(meta, "timeout");
		// The call is still under way, and the server may yet rotate `refreshToken`. Its answer is kept: it decides what
		// happens next (waitForEarlier), and a success is stored as if it had come in time, unless the session has moved on.
		options.late.add(refreshToken, epoch, first, call, (settled) => conclude(settled, refreshToken, staleAccessToken, epoch, true, meta));
		return { type: "retry", error: first };
	}

	/** What a call's answer means, in time or late. Never rejects. */
	async function conclude(
		settled: Settled,
		refreshToken: string | undefined,
		staleAccessToken: string | undefined,
		epoch: number,
		late: boolean,
		meta: CallMeta,
	): Promise<Attempt> {
		try {
			if (!settled.ok) throw settled.error;
			const result = settled.value;
			if (result === null || result === undefined) {
				if (!late) told(meta, "rejected");
				return { type: "done", outcome: { type: "rejected", staleAccessToken } };
			}
			if (!isTokenSet(result) || !isHeaderValue(result.accessToken)) {
				if (!late) told(meta, "invalid");
				// The server may have rotated the token before answering garbage: never send it again.
				if (refreshToken !== undefined) memory.spend(refreshToken);
				return { type: "done", outcome: { type: "failed", error: new RefreshError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? "The refresh function returned an invalid token set" : "Invalid token set")) } };
			}
			// Without a new refresh token the server does not rotate (RFC 6749 §6): keep the old one.
			const next: TokenSet = { ...result, refreshToken: result.refreshToken ?? refreshToken };
			const rotated = refreshToken !== undefined && next.refreshToken !== refreshToken ? refreshToken : undefined;
			if (rotated !== undefined) memory.spend(rotated);
			if (session.generation !== epoch) return { type: "done", outcome: { type: "superseded" } };
			// A late answer may come after its flight let go of the lock: it never replaces tokens that replaced the ones it
			// presented (another tab's refresh).
			if (late && refreshToken !== undefined && (await options.read())?.refreshToken !== refreshToken) {
				return { type: "done", outcome: { type: "superseded" } };
			}
			// Stored before any waiting request is retried, so a retry can never race an older token.
			if (!(await options.write(next, epoch))) return { type: "done", outcome: { type: "superseded" } };
			// Announced while still holding the lock, so the next holder can tell a stale read from a fresh one.
			session.dispatch({ type: "refreshStored", rotated: rotated === undefined ? undefined : fingerprint(rotated) });
			options.events?.emit({ type: "refresh.succeeded", attempt: meta.attempt, durationMs: Date.now() - meta.startedAt });
			if (options.settleMs) await sleep(options.settleMs, signal);
			return { type: "done", outcome: { type: "ok", tokens: next, refreshed: true } };
		} catch (error) {
			return failure(error, refreshToken, staleAccessToken, late ? undefined : meta);
		}
	}

	/** A call that failed: its event once (a late call's failure was told as its timeout). */
	function told(meta: CallMeta, reason: RefreshFailureKind): void {
		options.events?.emit({ type: "refresh.failed", attempt: meta.attempt, durationMs: Date.now() - meta.startedAt, reason });
	}

	async function failure(error: unknown, refreshToken: string | undefined, staleAccessToken: string | undefined, meta: CallMeta | undefined): Promise<Attempt> {
		if (signal.aborted) return { type: "done", outcome: { type: "superseded" } };
		const kind = classifyRefreshError(error);
		if (meta) told(meta, kind);
		if (kind === "rejected") return { type: "done", outcome: { type: "rejected", cause: safeCause(error), staleAccessToken } };
		// A refresh that failed in an unknown way may have been rotated by the server: never send it again.
		if (kind === "invalid" && refreshToken !== undefined) memory.spend(refreshToken);
		if (kind === "timeout" || kind === "network") {
			const failed =
				kind === "timeout"
					? error instanceof TimeoutError
						? error
						: new TimeoutError("Token refresh timed out", { cause: safeCause(error) })
					: new NetworkError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? "Token refresh failed: the network or the server is unavailable" : "Token refresh failed"), { cause: safeCause(error) });
			// An error status (408, 429, 5xx) is an answer without a token response: nothing was issued, so nothing was
			// rotated (RFC 6749 §5.1, §6), and the same refresh token may go again.
			if (refreshToken === undefined || statusOf(error) !== undefined) return { type: "retry", error: failed };
			return unanswered(refreshToken, failed);
		}
		return { type: "done", outcome: { type: "failed", error: new RefreshError("Token refresh failed", { cause: safeCause(error) }) } };
	}

	/**
	 * No answer (fetch's TypeError, the function's own timeout): the server may have rotated `refreshToken` before the
	 * connection broke, and presenting it again at once would look like a replay (reuse detection revokes the session).
	 * Tokens another tab or a late write stored meanwhile are used; otherwise this refresh fails, and every request
	 * waiting on it with it. The token is not marked spent: network is not auth, so a later request may refresh again.
	 */
	async function unanswered(refreshToken: string, error: NetworkError | TimeoutError): Promise<Attempt> {
		const stored = await options.read().catch(() => undefined);
		if (stored?.refreshToken !== undefined && stored.refreshToken !== refreshToken && !memory.spent(stored.refreshToken)) {
			return { type: "done", outcome: { type: "superseded" } };
		}
		// The error the call failed with, as a late call that never settled in time fails (lateCalls.waitForEarlier).
		return { type: "done", outcome: { type: "failed", error } };
	}

	return {
		attempt,
		/** How many times the refresh function was called. */
		get calls() {
			return calls;
		},
	};
}
