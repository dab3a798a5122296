import { extendObservable, runInAction } from "mobx";
import type { SessionCallbacks, SessionReason, SessionSnapshot, SessionStatus, SessionStore } from "../index.js";
import { watchSession } from "../session/watchSession.js";

export type ObservableSession = {
	readonly status: SessionStatus;
	readonly identity: string | undefined;
	readonly reason: SessionReason | undefined;
	readonly isAuthenticated: boolean;
	readonly isRefreshing: boolean;
	readonly isReauthenticating: boolean;
	readonly isSignedOut: boolean;
	/** Stops following the client. */
	dispose(): void;
};

/**
 * A mobx-observable view of `client.session`, kept in sync through `subscribe`. mobx is a peer dependency:
 * this uses the app's own copy, so observers in the app see these observables.
 * Callbacks drive stores the app already has (e.g. `onSessionEnded: () => authStore.logout()`).
 */
export function createSessionStore(client: { session: SessionStore }, callbacks: SessionCallbacks = {}): ObservableSession {
	const initial = client.session.getSnapshot();
	const state = extendObservable(
		{},
		{
			status: initial.status,
			identity: initial.identity,
			reason: initial.reason,
			get isAuthenticated() {
				return this.status === "authenticated";
			},
			get isRefreshing() {
				return this.status === "refreshing";
			},
			get isReauthenticating() {
				return this.status === "reauthenticating";
			},
			get isSignedOut() {
				return this.status === "signedOut";
			},
		},
	) as { status: SessionStatus; identity: string | undefined; reason: SessionReason | undefined };

	const unsubscribe = watchSession(client.session, {
		...callbacks,
		onChange(snapshot: SessionSnapshot, previous: SessionSnapshot) {
			// Observables first, so callbacks that read this store see the new state.
			runInAction(() => {
				state.status = snapshot.status;
				state.identity = snapshot.identity;
				state.reason = snapshot.reason;
			});
			callbacks.onChange?.(snapshot, previous);
		},
	});

	Object.defineProperty(state, "dispose", { value: unsubscribe, enumerable: false });
	return state as unknown as ObservableSession;
}

export type { SessionCallbacks } from "../session/watchSession.js";
