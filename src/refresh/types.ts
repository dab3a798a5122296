import type { NetworkError, RefreshError, TimeoutError } from "../errors.js";
import type { RefreshSession } from "../session/session.js";
import type { TokenSet } from "../tokens/types.js";

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
 * credential is dead; throw a fetch `TypeError`, a timeout or a 5xx error for a network failure (only an error
 * answer, one with a `status`, is retried with the same refresh token: see `RefreshRetryOptions`).
 */
export type RefreshFunction = (context: RefreshContext) => Promise<TokenSet | null | undefined>;

/**
 * Backoff for refreshes the token endpoint answered with 408, 429 or a 5xx (an error carrying that `status` or
 * `response.status`). Such an answer issues no token (RFC 6749 §5.1, §6), so the same refresh token is presented
 * again. A call that got no answer at all (fetch's `TypeError`, a timeout, `refreshTimeoutMs` included once the call
 * it abandoned settles the same way) is never retried with the same refresh token: the server
 * may have rotated it before the connection broke, and a second presentation is a replay that reuse detection answers
 * by revoking the session. Tokens stored meanwhile (another tab, a late write) are used instead; otherwise the refresh
 * fails with `NetworkError` / `TimeoutError` and the session is kept.
 */
export type RefreshRetryOptions = {
	/** Retries after the first failure answered with 408, 429 or 5xx. @default 2 */
	limit?: number;
	/** First backoff delay, doubled after each failure. @default 300 */
	delayMs?: number;
	/** @default 5_000 */
	maxDelayMs?: number;
};

export type RefreshOutcome =
	| { type: "ok"; tokens: TokenSet; refreshed: boolean }
	| { type: "rejected"; cause?: unknown; staleAccessToken?: string | undefined }
	| { type: "failed"; error: NetworkError | TimeoutError | RefreshError }
	/** The session changed while refreshing (sign-out, another sign-in): the result was dropped, never stored. */
	| { type: "superseded" };

/** How one call of the refresh function ended: an outcome, or a failure worth another try. */
export type Attempt = { type: "done"; outcome: RefreshOutcome } | { type: "retry"; error: NetworkError | TimeoutError };

/** A call of the refresh function, settled. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export type { RefreshSession };

/** A refresher on its own (tests, no client): one session that never moves. */
export const detachedSession: RefreshSession = { generation: 0, watch: () => () => {}, dispatch() {} };
