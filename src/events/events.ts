import { rethrowLater } from "../core/rethrowLater.js";
import type { RefreshFailureKind } from "../refresh/classifyRefreshError.js";
import type { SessionReason } from "../session/sessionState.js";

/**
 * What the session did, for logs, metrics and traces. Every field is low-cardinality and carries no secret: no token,
 * cookie, CSRF value, URL, query string, header or body ever appears in an event. Durations are milliseconds, `at` is
 * epoch ms.
 */
export type TokenflightEvent = { readonly at: number } & (
	| { readonly type: "refresh.started"; readonly attempt: number }
	| { readonly type: "refresh.succeeded"; readonly attempt: number; readonly durationMs: number }
	| { readonly type: "refresh.failed"; readonly attempt: number; readonly durationMs: number; readonly reason: RefreshFailureKind }
	/** Requests began waiting for the session (a re-authentication, a sign-in's write). `count`: how many wait now. */
	| { readonly type: "requests.stalled"; readonly count: number }
	/** The wait ended: `outcome` says whether they go on (`"sent"`) or fail (signed out, disposed). */
	| { readonly type: "requests.released"; readonly count: number; readonly longestWaitMs: number; readonly outcome: "sent" | "failed" }
	/** A request shared the response of an identical one in flight (`dedupe`). */
	| { readonly type: "dedupe.hit" }
	/** This tab waited for another tab's refresh lock. */
	| { readonly type: "lock.waited"; readonly durationMs: number }
	/** This tab took the refresh lock from a holder that stopped answering (frozen, or its call hangs). */
	| { readonly type: "lock.stolen"; readonly durationMs: number }
	/** The reload/re-login loop guard refused another attempt: the session signs out instead. */
	| { readonly type: "loopGuard.tripped"; readonly reason: SessionReason }
	/** A dead session was recognised, and what the policy made of it. */
	| { readonly type: "session.ended"; readonly reason: SessionReason; readonly action: "reauthenticate" | "signOut" }
	/** A 401/403 carried a challenge of this kind (RFC 6750, RFC 9470, RFC 9449). */
	| { readonly type: "challenge"; readonly kind: ChallengeKind }
	/** The session is about to end: `deadline` (epoch ms) is when. */
	| { readonly type: "lifetime.warning"; readonly kind: "idle" | "absolute"; readonly deadline: number }
	| { readonly type: "lifetime.expired"; readonly reason: "idle" | "expired" }
);

export type TokenflightEventType = TokenflightEvent["type"];
export type ChallengeKind = "invalid-token" | "insufficient-scope" | "step-up" | "dpop-nonce" | "other";

export type TokenflightEventListener = (event: TokenflightEvent) => void;

/** Where events are heard. A listener that throws does not stop the others or the client (the error is rethrown later). */
export type EventStream = {
	subscribe(listener: TokenflightEventListener): () => void;
};

/** Distributes the events, or the helper that drops them: `active` is false while nobody listens (nothing is built). */
export type EventHub = {
	readonly stream: EventStream;
	readonly active: boolean;
	emit(event: DistributiveOmit<TokenflightEvent, "at">): void;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function createEventHub(now: () => number = Date.now): EventHub {
	const listeners = new Set<TokenflightEventListener>();
	return {
		stream: {
			subscribe(listener) {
				listeners.add(listener);
				return () => void listeners.delete(listener);
			},
		},
		get active() {
			return listeners.size > 0;
		},
		emit(partial) {
			if (listeners.size === 0) return;
			const event = Object.freeze({ ...partial, at: now() }) as TokenflightEvent;
			for (const listener of [...listeners]) {
				try {
					listener(event);
				} catch (error) {
					rethrowLater(error);
				}
			}
		},
	};
}
