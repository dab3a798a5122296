import { sleep } from "../core/sleep.js";
import { RefreshError, type NetworkError, type TimeoutError } from "../errors.js";
import type { Attempt, RefreshOutcome, RefreshSession, Settled } from "./types.js";

/** A call that timed out and has not settled: the server may still rotate the refresh token it presented. */
export type Unsettled = {
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

export type LateCalls = ReturnType<typeof lateCalls>;

/**
 * Calls that timed out and have not settled, by the refresh token they presented: none is presented again meanwhile.
 * A refresh function that ignores its signal (axios without one, a hand-rolled XHR) may still reach the server.
 */
export function lateCalls(timeoutMs: number, session: RefreshSession, signal: AbortSignal) {
	const unsettled = new Map<string | undefined, Unsettled>();
	const moved = (epoch: number) => session.generation !== epoch;

	/**
	 * The timed-out call that presented `refreshToken` and has not settled, if any. Without a refresh token (an HttpOnly
	 * refresh cookie) only the same session's call counts: a sign-in since then brought another cookie.
	 */
	function pending(refreshToken: string | undefined, epoch: number): Unsettled | undefined {
		const entry = unsettled.get(refreshToken);
		return entry && (refreshToken !== undefined || entry.epoch === epoch) ? entry : undefined;
	}

	/**
	 * Waits for the call's conclusion at most `ms` (unless it has answered by then: storing its answer is waited for), and
	 * not past a disposal or a change of session.
	 */
	function until(call: Unsettled, ms: number, epoch: number): Promise<Attempt | "expired" | "moved" | "disposed"> {
		if (signal.aborted) return Promise.resolve("disposed");
		if (moved(epoch)) return Promise.resolve("moved");
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				if (!call.answered) finish("expired");
			}, Math.max(0, ms));
			const onDispose = () => finish("disposed");
			signal.addEventListener("abort", onDispose, { once: true });
			const unwatch = session.watch(() => {
				if (moved(epoch)) finish("moved");
			});
			void call.result.then(finish);
			function finish(value: Attempt | "expired" | "moved" | "disposed") {
				clearTimeout(timer);
				signal.removeEventListener("abort", onDispose);
				unwatch();
				resolve(value);
			}
		});
	}

	return {
		pending,
		/** This session's calls that may still answer. */
		of: (epoch: number) => [...unsettled.values()].filter((call) => call.epoch === epoch),
		/** Keeps a timed-out call until it settles; `conclude` turns its answer into an attempt as if it had come in time. */
		add(refreshToken: string | undefined, epoch: number, error: TimeoutError, call: Promise<Settled>, conclude: (settled: Settled) => Promise<Attempt>) {
			const entry: Unsettled = {
				epoch,
				error,
				deadline: Date.now() + timeoutMs,
				answered: false,
				result: call.then((settled) => {
					entry.answered = true;
					return conclude(settled);
				}),
			};
			unsettled.set(refreshToken, entry);
			void entry.result.then(() => {
				if (unsettled.get(refreshToken) === entry) unsettled.delete(refreshToken);
			});
		},
		/**
		 * Waits `minMs` (the backoff) and, while a call that presented `refreshToken` has timed out without settling, for that
		 * call. Its answer counts as if it had come in time; it has until `refreshTimeoutMs` after its timeout (or the end of
		 * the backoff, if later) to give it. Resolves with the outcome to settle on instead of calling again, or undefined to
		 * call. Without an answer by then, fails with `unanswered`, by default a RefreshError: the call it would make is refused.
		 */
		async waitForEarlier(refreshToken: string | undefined, epoch: number, minMs: number, unanswered?: NetworkError | TimeoutError): Promise<RefreshOutcome | undefined> {
			const callAt = Date.now() + minMs;
			const earlier = pending(refreshToken, epoch);
			if (earlier) {
				const waited = await until(earlier, Math.max(callAt, earlier.deadline) - Date.now(), epoch);
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
						unanswered ?? new RefreshError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? "Token refresh timed out and has not settled; its refresh token is not sent again until it does" : "Token refresh unsettled"), { cause: earlier.error });
					return { type: "failed", error };
				}
				if (waited.type === "done" && earlier.epoch === epoch) return waited.outcome;
				if (moved(epoch)) return { type: "superseded" };
			}
			const rest = callAt - Date.now();
			if (rest > 0) await sleep(rest, signal);
			return undefined;
		},
	};
}
