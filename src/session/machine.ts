import { createGate, type Gate } from "../core/deferred.js";
import { createSessionState, type SessionReason, type SessionStatus, type SessionStore } from "./sessionState.js";

/**
 * Every change of the session goes through `dispatch`. Asynchronous work (a refresh, a store write, a response,
 * a re-authentication) remembers the `generation` it started in; sign-in, sign-out and a completed
 * re-authentication bump it, so a late result of an older session is recognised and dropped.
 */
export type SessionAction =
	/** A response proved the credentials work. */
	| { type: "proved" }
	| { type: "refreshStarted" }
	| { type: "refreshSettled"; ok: boolean }
	/** Requests stall until `reauthenticated`, `signedIn` or `signedOut`. */
	| { type: "reauthenticating"; reason: SessionReason }
	| { type: "reauthenticated" }
	/** `signIn()` began: requests stall while its tokens are written. */
	| { type: "signingIn" }
	| { type: "signedIn"; identity: string | undefined }
	/** `signIn()` failed (a malformed token set, a store that threw): requests waiting on it go on as before. */
	| { type: "signInFailed" }
	/** Another tab signed in while this one was signed out: its session is this one's now, whoever it belongs to. */
	| { type: "adopted" }
	| { type: "signedOut"; reason: SessionReason | undefined; error: unknown }
	| { type: "identityPinned"; identity: string }
	/** The client was disposed: whoever waits is aborted. */
	| { type: "disposed"; error: unknown };

export type SessionMachine = {
	readonly store: SessionStore;
	readonly status: SessionStatus;
	readonly identity: string | undefined;
	readonly generation: number;
	readonly signOuts: number;
	/** A `signIn()` is writing its tokens: whatever is reported dead now is the session it replaces. */
	readonly signingIn: boolean;
	/** The gate requests wait on, or null when they may be sent. */
	readonly gate: Gate | null;
	dispatch(action: SessionAction): void;
	clearListeners(): void;
};

export function createSessionMachine(): SessionMachine {
	const state = createSessionState();
	let generation = 0;
	// Bumped by sign-outs only: a request begun before one never goes out with the next user's credentials.
	let signOuts = 0;
	let signingIn = false;
	let gate: Gate | null = null;
	let statusBeforeRefresh: SessionStatus = "unknown";

	const snapshot = () => state.store.getSnapshot();

	function closeGate(outcome: { ok: true } | { ok: false; error: unknown }): void {
		const current = gate;
		gate = null;
		if (outcome.ok) current?.open();
		else current?.fail(outcome.error);
	}

	function dispatch(action: SessionAction): void {
		const { status } = snapshot();
		switch (action.type) {
			case "proved":
				// Only signIn() leaves signedOut: a late response must not resurrect a session the user ended.
				if (status === "unknown") state.update({ status: "authenticated", reason: undefined });
				return;
			case "refreshStarted":
				if (status === "reauthenticating" || status === "signedOut" || status === "refreshing") return;
				statusBeforeRefresh = status;
				state.update({ status: "refreshing" });
				return;
			case "refreshSettled":
				if (status !== "refreshing") return;
				state.update(action.ok ? { status: "authenticated", reason: undefined } : { status: statusBeforeRefresh });
				return;
			case "reauthenticating":
				// Requests already waiting (on a sign-in's write) keep waiting on the same gate.
				gate ??= createGate();
				state.update({ status: "reauthenticating", reason: action.reason });
				return;
			case "reauthenticated":
				generation++;
				// The next response says who this is: it may be someone else now.
				state.update({ status: "authenticated", reason: undefined, identity: undefined });
				closeGate({ ok: true });
				return;
			case "signingIn":
				signingIn = true;
				generation++;
				gate ??= createGate();
				return;
			case "signInFailed":
				signingIn = false;
				if (status !== "reauthenticating") closeGate({ ok: true });
				return;
			case "signedIn":
				signingIn = false;
				state.update({ status: "authenticated", reason: undefined, identity: action.identity });
				closeGate({ ok: true });
				return;
			case "adopted":
				generation++;
				state.update({ status: "unknown", reason: undefined, identity: undefined });
				return;
			case "signedOut":
				signingIn = false;
				generation++;
				signOuts++;
				state.update({ status: "signedOut", reason: action.reason, identity: undefined });
				closeGate({ ok: false, error: action.error });
				return;
			case "identityPinned":
				state.update({ identity: action.identity });
				return;
			case "disposed":
				closeGate({ ok: false, error: action.error });
				return;
		}
	}

	return {
		store: state.store,
		get status() {
			return snapshot().status;
		},
		get identity() {
			return snapshot().identity;
		},
		get generation() {
			return generation;
		},
		get signOuts() {
			return signOuts;
		},
		get signingIn() {
			return signingIn;
		},
		get gate() {
			return gate;
		},
		dispatch,
		clearListeners: state.clearListeners,
	};
}
