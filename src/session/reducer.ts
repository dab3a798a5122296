import type { SessionReason, SessionStatus } from "./sessionState.js";

/**
 * Everything the session knows, changed only by `reduce`. Asynchronous work (a refresh, a store write, a response, a
 * re-authentication) remembers the `generation` it started in and drops its result once the generation has moved.
 */
export type SessionState = {
	readonly status: SessionStatus;
	readonly identity: string | undefined;
	readonly reason: SessionReason | undefined;
	/**
	 * The one staleness counter. Bumped when the credentials requests carry change hands: a sign-in begins or ends, a
	 * re-authentication finishes, the session is signed out, another tab's session is adopted.
	 */
	readonly generation: number;
	/**
	 * The generation in which requests began to stall (a re-authentication, a sign-in's write), or null when they may be
	 * sent. A re-authentication remembers it: its result counts only while the same stall goes on.
	 */
	readonly stalledSince: number | null;
	/** The generation the latest sign-out moved to: a request begun before it never goes out with the next user's credentials. */
	readonly signedOutAt: number;
	/** A `signIn()` is writing its tokens: whatever is reported dead now is the session it replaces. */
	readonly signingIn: boolean;
	/** Where a refresh that does not end in new tokens returns to. */
	readonly statusBeforeRefresh: SessionStatus;
	readonly disposed: boolean;
};

export type SessionEvent =
	/** A response proved the credentials work. */
	| { type: "proved" }
	| { type: "refreshStarted" }
	/** A refresh stored new tokens; `rotated` is the fingerprint of the refresh token it spent. */
	| { type: "refreshStored"; rotated: string | undefined }
	/** A refresh ended without new tokens; `dead` when the server refused the refresh token. */
	| { type: "refreshFailed"; dead: boolean; credential?: string | undefined }
	/** Requests stall until `reauthenticated`, `signedIn` or `signedOut`. */
	| { type: "reauthenticating"; reason: SessionReason }
	| { type: "reauthenticated" }
	/** A step-up stored stronger tokens for the same session: nothing is cancelled. */
	| { type: "steppedUp" }
	/** `signIn()` began: requests stall while its tokens are written. */
	| { type: "signingIn" }
	| { type: "signedIn"; identity: string | undefined }
	/** `signIn()` failed (a malformed token set, a store that threw): requests waiting on it go on as before. */
	| { type: "signInFailed" }
	/** Another tab signed in while this one was signed out: its session is this one's now, whoever it belongs to. */
	| { type: "adopted" }
	/** `reason` undefined: the user's own `logout()`. */
	| { type: "signedOut"; reason: SessionReason | undefined; error: unknown }
	| { type: "identityPinned"; identity: string }
	/** The client was disposed: whoever waits is aborted. */
	| { type: "disposed"; error: unknown };

export const initialSessionState: SessionState = {
	status: "unknown",
	identity: undefined,
	reason: undefined,
	generation: 0,
	stalledSince: null,
	signedOutAt: 0,
	signingIn: false,
	statusBeforeRefresh: "unknown",
	disposed: false,
};

/** The next state. Pure: the session's `dispatch` runs what a change sets off (the gate, the store, other tabs). */
export function reduce(state: SessionState, event: SessionEvent): SessionState {
	const { status, generation } = state;
	switch (event.type) {
		case "proved":
			// Only signIn() leaves signedOut: a late response must not resurrect a session the user ended.
			return status === "unknown" ? { ...state, status: "authenticated", reason: undefined } : state;
		case "refreshStarted":
			if (status === "reauthenticating" || status === "signedOut" || status === "refreshing") return state;
			return { ...state, status: "refreshing", statusBeforeRefresh: status };
		case "refreshStored":
			return status === "refreshing" ? { ...state, status: "authenticated", reason: undefined } : state;
		case "refreshFailed":
			// A refused refresh token leaves the status to the re-authentication or sign-out that follows.
			return status === "refreshing" && !event.dead ? { ...state, status: state.statusBeforeRefresh } : state;
		case "reauthenticating":
			// Requests already waiting (on a sign-in's write) keep waiting in the same stall.
			return { ...state, status: "reauthenticating", reason: event.reason, stalledSince: state.stalledSince ?? generation };
		case "reauthenticated":
			// The next response says who this is: it may be someone else now.
			return { ...state, status: "authenticated", reason: undefined, identity: undefined, generation: generation + 1, stalledSince: null };
		case "steppedUp":
			return state;
		case "signingIn":
			return { ...state, signingIn: true, generation: generation + 1, stalledSince: state.stalledSince ?? generation + 1 };
		case "signInFailed":
			return { ...state, signingIn: false, stalledSince: status === "reauthenticating" ? state.stalledSince : null };
		case "signedIn":
			// Bumped again so that a re-authentication joined during the write is over for good.
			return { ...state, signingIn: false, status: "authenticated", reason: undefined, identity: event.identity, generation: generation + 1, stalledSince: null };
		case "adopted":
			return { ...state, status: "unknown", reason: undefined, identity: undefined, generation: generation + 1 };
		case "signedOut":
			return {
				...state,
				signingIn: false,
				status: "signedOut",
				reason: event.reason,
				identity: undefined,
				generation: generation + 1,
				signedOutAt: generation + 1,
				stalledSince: null,
			};
		case "identityPinned":
			return { ...state, identity: event.identity };
		case "disposed":
			return { ...state, disposed: true, stalledSince: null };
	}
}

/**
 * What moving from `previous` to `next` cancels:
 * - `"older results"`: the generation moved, so what work of the older one brings back (a refresh, a store write, a
 *   re-authentication, a response) is dropped;
 * - `"stall"`: the stall ended, and waiting requests go;
 * - `"waiting requests"`: the stall failed (a sign-out, a disposal), and waiting requests reject;
 * - `"requests begun before"`: a sign-out, so requests begun before it never go out again.
 */
export type Cancellation = "older results" | "stall" | "waiting requests" | "requests begun before";

export function cancelled(previous: SessionState, next: SessionState): Cancellation[] {
	const list: Cancellation[] = [];
	const signedOut = next.signedOutAt !== previous.signedOutAt;
	if (next.generation !== previous.generation) list.push("older results");
	if (previous.stalledSince !== null && next.stalledSince === null) list.push(signedOut || (next.disposed && !previous.disposed) ? "waiting requests" : "stall");
	if (signedOut) list.push("requests begun before");
	return list;
}
