import type { SessionReason, SessionSnapshot, SessionStore } from "./sessionState.js";

export type SessionCallbacks = {
	/** Every change of the snapshot. */
	onChange?: (snapshot: SessionSnapshot, previous: SessionSnapshot) => void;
	/** The session entered `signedOut` (logout, loop guard, another tab): show the sign-in screen, drop user data. */
	onSessionEnded?: (snapshot: SessionSnapshot) => void;
	/** The session entered `reauthenticating`: a reload or redirect is under way; hide spinners, show nothing alarming. */
	onReauthenticating?: (reason: SessionReason | undefined) => void;
	/** A different user was seen than the one before (typically after a re-authentication). */
	onIdentityChanged?: (identity: string | undefined, previous: string | undefined) => void;
};

/**
 * Drives an app's own stores (any framework, any mobx version) from session transitions,
 * so they do not need replacing. Returns the unsubscribe function.
 */
export function watchSession(session: SessionStore, callbacks: SessionCallbacks): () => void {
	let previous = session.getSnapshot();
	// The last user seen: across a re-authentication the identity goes through `undefined` before the next one.
	let lastIdentity = previous.identity;
	return session.subscribe((snapshot) => {
		const before = previous;
		previous = snapshot;
		callbacks.onChange?.(snapshot, before);
		if (snapshot.status !== before.status) {
			if (snapshot.status === "signedOut") callbacks.onSessionEnded?.(snapshot);
			if (snapshot.status === "reauthenticating") callbacks.onReauthenticating?.(snapshot.reason);
		}
		if (snapshot.identity !== undefined && snapshot.identity !== lastIdentity) {
			if (lastIdentity !== undefined) callbacks.onIdentityChanged?.(snapshot.identity, lastIdentity);
			lastIdentity = snapshot.identity;
		}
	});
}
