import { abortable } from "../core/abortable.js";
import type { EventHub } from "../events/events.js";
import { isHeaderValue } from "../core/headerValue.js";
import { InvalidCredentialError } from "../errors.js";
import { createRefresher } from "../refresh/refresher.js";
import type { RefreshFunction, RefreshRetryOptions } from "../refresh/types.js";
import { fingerprint } from "../session/fingerprint.js";
import type { Session } from "../session/session.js";
import type { TabSync } from "../tabs/tabSync.js";
import { tokenLock } from "../tabs/tokenLock.js";
import { isTokenSet } from "../tokens/tokenStores.js";
import { tokenVault } from "../tokens/tokenVault.js";
import type { TokenSet, TokenStore } from "../tokens/types.js";
import { tokenClock } from "./tokenClock.js";
import type { Credentials, Recovery, RecoveryState } from "./types.js";

export type BearerAuth = {
	type: "bearer";
	store: TokenStore;
	/** Exchanges the refresh token. Without it, the first 401 re-authenticates. */
	refresh?: RefreshFunction;
	/** Backoff for refreshes the token endpoint answered with 408, 429 or 5xx (see `RefreshRetryOptions`). */
	refreshRetry?: RefreshRetryOptions;
	/** Bound on a single refresh call. @default 10_000 */
	refreshTimeoutMs?: number;
	/** @default "Bearer", or "DPoP" with `dpop` */
	scheme?: string;
	/** Sender-constrained tokens (RFC 9449): see `tokenflight/dpop`. */
	dpop?: DPoPBinding;
};

/**
 * What the core needs of a DPoP implementation (`tokenflight/dpop` provides one): a proof for each request as it
 * is sent, and the nonces servers hand out.
 */
export type DPoPBinding = {
	/** A DPoP proof JWT for this request (RFC 9449 §4.2); `now` is the server's clock as best known (epoch ms). */
	proof(request: { method: string; url: string; accessToken?: string | undefined; now: number }): Promise<string>;
	/** Every response of a trusted origin, so `DPoP-Nonce` headers are kept per origin (RFC 9449 §8). */
	observe(url: string, response: Response): void;
};

export type BearerContext = {
	session: Session;
	tabs: TabSync | undefined;
	leewayMs: number;
	events?: EventHub | undefined;
	/** Hears every token set stored (a refresh, a sign-in): the session's absolute limit may come from them. */
	onTokens?: ((tokens: TokenSet) => void) | undefined;
};

/** Bearer tokens from the app's store, refreshed once for every request that finds them expiring or refused. */
export function bearerCredentials(auth: BearerAuth, context: BearerContext): Credentials {
	const { session, tabs } = context;
	const { dpop } = auth;
	const scheme = auth.scheme ?? (dpop ? "DPoP" : "Bearer");
	// Fingerprints (never the tokens) of refresh tokens other tabs have rotated away.
	const rotatedElsewhere = new Set<string>();
	const clock = tokenClock(context.leewayMs);
	const vault = tokenVault(auth.store, () => session.state.generation);
	const current = async () => (await vault.get()) ?? undefined;
	const signedOut = () => session.state.status === "signedOut";
	// This request's refresh of `accessToken` already failed in the current session.
	const failedBefore = (state: RecoveryState | undefined, accessToken: string | undefined) =>
		state?.failed !== undefined && state.failed.generation === session.state.generation && state.failed.accessToken === accessToken;

	const refresher = auth.refresh
		? createRefresher({
				store: { get: vault.get, set: auth.store.set.bind(auth.store) },
				refresh: auth.refresh,
				retry: auth.refreshRetry,
				timeoutMs: auth.refreshTimeoutMs,
				lock: tabs?.lock,
				tokenLock: tabs?.locks ? tokenLock(tabs.locks, `tokenflight:presenting:${tabs.name}`) : undefined,
				events: context.events,
				settleMs: tabs?.lock ? 50 : 0,
				rotatedElsewhere: (refreshToken) => rotatedElsewhere.has(fingerprint(refreshToken)),
				isUsable: (tokens) => !clock.isExpiring(tokens),
				session: session.refreshPort,
				async write(tokens, generation) {
					const stored = await vault.write(tokens, generation);
					if (stored) {
						clock.issued(tokens);
						context.onTokens?.(tokens);
					}
					return stored;
				},
			})
		: undefined;

	return {
		async prepare(signal, state) {
			const generation = session.state.generation;
			const tokens = await current();
			if (!tokens || !refresher || !clock.isExpiring(tokens) || signedOut() || failedBefore(state, tokens.accessToken)) return tokens;
			const outcome = await abortable(refresher.refresh(tokens.accessToken), signal);
			if (outcome.type === "ok") return outcome.tokens;
			if (outcome.type === "superseded") return current();
			// Rejected: the session is re-authenticating and the request will stall. Failed (a blip, a clock that is wrong,
			// another tab's refresh that hangs): the token may still work, so the server decides; a 401 then fails the
			// request with this error (recover), rather than wait for a second refresh.
			// A failure of an older session's refresh says nothing about this one.
			if (outcome.type === "failed" && state && session.state.generation === generation) state.failed = { error: outcome.error, generation, accessToken: tokens.accessToken };
			return tokens;
		},
		headers(tokens) {
			if (!tokens) return [];
			if (!isHeaderValue(tokens.accessToken) || !isHeaderValue(scheme)) throw new InvalidCredentialError("access token");
			return [["authorization", `${scheme} ${tokens.accessToken}`]];
		},
		sign: dpop ? async (tokens, method, url) => [["dpop", await dpop.proof({ method, url: url.href, accessToken: tokens?.accessToken, now: clock.now() })]] : undefined,
		retriesNonce: dpop !== undefined,
		// Bearer calls carry no cookies unless asked: a session cookie without CSRF can get that session killed (seed 000).
		mode: (requested) => requested ?? "omit",
		credentialOf: (tokens) => tokens?.accessToken,
		proves: (tokens) => tokens !== undefined,
		async recover(sent, state, signal): Promise<Recovery> {
			const latest = await current();
			if (latest && latest.accessToken !== sent?.accessToken && !state.retriedWithNewToken) {
				// Sent with a token that has since been replaced: retry with the current one, no refresh.
				state.retriedWithNewToken = true;
				return { type: "retry" };
			}
			if (failedBefore(state, sent?.accessToken)) return { type: "fail", error: state.failed!.error };
			// A 401 for a token just refreshed means the session is dead, unless that token merely expired on
			// the way (short lifetimes, slow networks): then one more refresh is worth it.
			if (!refresher || (state.retriedWithNewToken && !(clock.hasExpired(sent) && state.refreshes < 2))) {
				return { type: "reauthenticate", reason: "unauthorized", credential: sent?.accessToken };
			}
			state.refreshes++;
			const outcome = await abortable(refresher.refresh(sent?.accessToken), signal);
			switch (outcome.type) {
				case "ok":
					state.retriedWithNewToken = true;
					return { type: "retry" };
				case "superseded":
					return { type: "retry" };
				case "rejected":
					return { type: "reauthenticate", reason: "refresh-failed", credential: sent?.accessToken };
				case "failed":
					return { type: "fail", error: outcome.error };
			}
		},
		observe(response, url) {
			const date = response.headers.get("date");
			if (date) clock.learn(Date.parse(date));
			if (dpop && url) dpop.observe(url, response);
		},
		store(tokens, generation) {
			if (tokens === undefined) return Promise.resolve(session.state.generation === generation);
			if (!isTokenSet(tokens) || !isHeaderValue(tokens.accessToken)) {
				return Promise.reject(new TypeError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? "tokenflight: tokens need a non-empty accessToken that can be sent in a header" : "tokenflight: invalid tokens")));
			}
			clock.issued(undefined);
			const written = vault.write(tokens, generation);
			// Beside the write, not after it: the session goes on from the write's own answer, in the same tick as before.
			const { onTokens } = context;
			if (onTokens) void written.then((stored) => stored && onTokens(tokens), () => undefined);
			return written;
		},
		clear: vault.clear,
		async refreshIfExpiring() {
			if (!refresher || signedOut() || session.state.stalledSince !== null) return;
			const tokens = await vault.get().catch(() => null);
			if (tokens && clock.isExpiring(tokens)) await refresher.refresh(tokens.accessToken);
		},
		async refreshNow() {
			if (!refresher || signedOut()) return;
			const tokens = await vault.get().catch(() => null);
			if (tokens) await refresher.refresh(tokens.accessToken);
		},
		rotatedElsewhere: (value) => void rotatedElsewhere.add(value),
		dispose: () => refresher?.dispose(),
	};
}
