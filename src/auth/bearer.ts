import { abortable } from "../core/deferred.js";
import { InvalidCredentialError, TokenStoreError } from "../errors.js";
import { createRefresher, type RefreshFunction, type RefreshRetryOptions } from "../refresh/refresher.js";
import { fingerprint } from "../session/fingerprint.js";
import type { SessionMachine } from "../session/machine.js";
import type { SessionReason } from "../session/sessionState.js";
import type { TabSync } from "../tabs/tabSync.js";
import { jwtClaims } from "../tokens/jwt.js";
import { isTokenSet } from "../tokens/tokenStores.js";
import type { TokenSet, TokenStore } from "../tokens/types.js";
import { isHeaderValue } from "./headerValue.js";
import type { Credentials, Recovery } from "./types.js";

export type BearerAuth = {
	type: "bearer";
	store: TokenStore;
	/** Exchanges the refresh token. Without it, the first 401 re-authenticates. */
	refresh?: RefreshFunction;
	/** Backoff for refreshes that fail by network error, timeout or 5xx. */
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
	machine: SessionMachine;
	tabs: TabSync | undefined;
	leewayMs: number;
	/** The session cannot be recovered by this credential: hand it to the once-only re-authentication. */
	onDead(reason: SessionReason, credential: string | undefined): void;
};

// Skews below this are noise: the Date header has a one-second resolution.
const skewFloorMs = 2_000;

export function bearerCredentials(auth: BearerAuth, context: BearerContext): Credentials {
	const { machine, tabs } = context;
	const { dpop } = auth;
	const scheme = auth.scheme ?? (dpop ? "DPoP" : "Bearer");
	// Fingerprints (never the tokens) of refresh tokens other tabs have rotated away.
	const rotatedElsewhere = new Set<string>();
	// Server clock minus ours. JWT `exp` and `iat` are on the server's clock; `expiresAt` is on ours.
	let skewMs = 0;
	// When a refresh has just handed out a short-lived token, the leeway is capped at half its lifetime:
	// a 30 s leeway on a 2 s token would make every request refresh.
	let lastIssued: { accessToken: string; at: number } | undefined;
	// Writes and clears run one after another, so a logout's clear always lands after a write already under way.
	let queue: Promise<unknown> = Promise.resolve();

	function enqueue<T>(operation: () => Promise<T>): Promise<T> {
		const result = queue.then(operation, operation);
		queue = result.catch(() => undefined);
		return result;
	}

	const store = {
		// A custom store may hand back anything: what is not a token set reads as "no tokens".
		async get(): Promise<TokenSet | null> {
			// Read after any write or clear already asked for: a request made after logout() never sees the old tokens.
			await queue;
			let value: unknown;
			try {
				value = await auth.store.get();
			} catch (error) {
				throw new TokenStoreError({ cause: error });
			}
			return isTokenSet(value) ? value : null;
		},
		set: (tokens: TokenSet) => auth.store.set(tokens),
		clear: () => auth.store.clear(),
	};

	function write(tokens: TokenSet, generation: number): Promise<boolean> {
		return enqueue(async () => {
			if (machine.generation !== generation) return false;
			await auth.store.set(tokens);
			return machine.generation === generation;
		});
	}

	function expiresAt(tokens: TokenSet): number | undefined {
		if (tokens.expiresAt !== undefined) return tokens.expiresAt;
		const exp = jwtClaims(tokens.accessToken)?.exp;
		return exp === undefined ? undefined : exp * 1000 - skewMs;
	}

	function isExpiring(tokens: TokenSet): boolean {
		const expiry = expiresAt(tokens);
		if (expiry === undefined) return false;
		const lifetime = lastIssued?.accessToken === tokens.accessToken ? expiry - lastIssued.at : Infinity;
		return expiry - Date.now() <= Math.min(context.leewayMs, lifetime / 2);
	}

	function hasExpired(tokens: TokenSet | undefined): boolean {
		const expiry = tokens && expiresAt(tokens);
		return expiry !== undefined && expiry <= Date.now();
	}

	function learnSkew(serverNow: number | undefined): void {
		if (serverNow === undefined || !Number.isFinite(serverNow)) return;
		const skew = serverNow - Date.now();
		skewMs = Math.abs(skew) < skewFloorMs ? 0 : skew;
	}

	const refresher = auth.refresh
		? createRefresher({
				store,
				refresh: auth.refresh,
				retry: auth.refreshRetry,
				timeoutMs: auth.refreshTimeoutMs,
				lock: tabs?.lock,
				settleMs: tabs?.lock ? 50 : 0,
				rotatedElsewhere: (refreshToken) => rotatedElsewhere.has(fingerprint(refreshToken)),
				isUsable: (tokens) => !isExpiring(tokens),
				epoch: () => machine.generation,
				// A sign-out or a sign-in changes the status: a refresh waiting on a timed-out call stops at once.
				watch: (listener) => machine.store.subscribe(() => listener()),
				write,
				onStored(tokens, rotated) {
					const now = Date.now();
					// A token issued a moment ago tells the server's time by its `iat`.
					const iat = jwtClaims(tokens.accessToken)?.iat;
					if (iat !== undefined) learnSkew(iat * 1000);
					lastIssued = { accessToken: tokens.accessToken, at: now };
					tabs?.publish({ type: "tokens", rotated: rotated === undefined ? undefined : fingerprint(rotated) });
				},
				onStart: () => machine.dispatch({ type: "refreshStarted" }),
				// Runs before any waiting request resumes, so they all see the outcome's state.
				onSettled(outcome) {
					if (outcome.type === "rejected") context.onDead("refresh-failed", outcome.staleAccessToken);
					else machine.dispatch({ type: "refreshSettled", ok: outcome.type === "ok" });
				},
			})
		: undefined;

	return {
		async prepare(signal) {
			const tokens = (await store.get()) ?? undefined;
			if (!tokens || !refresher || !isExpiring(tokens) || machine.status === "signedOut") return tokens;
			const outcome = await abortable(refresher.refresh(tokens.accessToken), signal);
			if (outcome.type === "ok") return outcome.tokens;
			if (outcome.type === "superseded") return (await store.get()) ?? undefined;
			// Rejected: onSettled has started re-authentication and the request will stall. Failed (a blip, or a clock
			// that is wrong): the token may still work, so the server decides; a 401 then comes back here.
			return tokens;
		},
		headers(tokens) {
			if (!tokens) return [];
			if (!isHeaderValue(tokens.accessToken) || !isHeaderValue(scheme)) throw new InvalidCredentialError("access token");
			return [["authorization", `${scheme} ${tokens.accessToken}`]];
		},
		sign: dpop
			? async (tokens, method, url) => [["dpop", await dpop.proof({ method, url: url.href, accessToken: tokens?.accessToken, now: Date.now() + skewMs })]]
			: undefined,
		retriesNonce: dpop !== undefined,
		// Bearer calls carry no cookies unless asked: a session cookie without CSRF can get that session killed (seed 000).
		mode: (requested) => requested ?? "omit",
		credentialOf: (tokens) => tokens?.accessToken,
		async recover(sent, state, signal): Promise<Recovery> {
			const latest = (await store.get()) ?? undefined;
			if (latest && latest.accessToken !== sent?.accessToken && !state.retriedWithNewToken) {
				// Sent with a token that has since been replaced: retry with the current one, no refresh.
				state.retriedWithNewToken = true;
				return { type: "retry" };
			}
			// A 401 for a token just refreshed means the session is dead, unless that token merely expired on
			// the way (short lifetimes, slow networks): then one more refresh is worth it.
			if (!refresher || (state.retriedWithNewToken && !(hasExpired(sent) && state.refreshes < 2))) {
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
			if (date) learnSkew(Date.parse(date));
			if (dpop && url) dpop.observe(url, response);
		},
		store(tokens, generation) {
			if (tokens === undefined) return Promise.resolve(machine.generation === generation);
			if (!isTokenSet(tokens) || !isHeaderValue(tokens.accessToken)) {
				return Promise.reject(new TypeError("tokenflight: tokens need a non-empty accessToken that can be sent in a header"));
			}
			lastIssued = undefined;
			return write(tokens, generation);
		},
		clear: () => enqueue(async () => auth.store.clear()),
		async refreshIfExpiring() {
			if (!refresher || machine.status === "signedOut" || machine.gate) return;
			const tokens = await store.get().catch(() => null);
			if (tokens && isExpiring(tokens)) await refresher.refresh(tokens.accessToken);
		},
		rotatedElsewhere: (value) => void rotatedElsewhere.add(value),
		dispose: () => refresher?.dispose(),
	};
}
