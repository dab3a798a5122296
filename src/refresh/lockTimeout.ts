import type { RefreshRetryOptions } from "./types.js";

/**
 * How long a live tab may hold the refresh lock: every attempt timing out, each followed by the wait for its late answer
 * (another refreshTimeoutMs, or the backoff if longer: a refresh token is not presented again while a call with it may
 * still answer), and a margin. A waiting tab steals the lock only after this, so it never presents a refresh token
 * another tab is still using.
 */
export function refreshLockTimeout(auth: { type: string; refreshTimeoutMs?: number; refreshRetry?: RefreshRetryOptions }): number {
	if (auth.type !== "bearer") return 15_000;
	const timeout = auth.refreshTimeoutMs ?? 10_000;
	const limit = auth.refreshRetry?.limit ?? 2;
	// The last attempt and the wait for its late answer.
	let longest = 2 * timeout;
	for (let attempt = 0; attempt < limit; attempt++) {
		const backoff = Math.min(auth.refreshRetry?.maxDelayMs ?? 5_000, (auth.refreshRetry?.delayMs ?? 300) * 2 ** attempt);
		longest += timeout + Math.max(timeout, backoff);
	}
	return longest + 5_000;
}
