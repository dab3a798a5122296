import { rethrowLater } from "../core/rethrowLater.js";
export type SessionStatus = "unknown" | "authenticated" | "refreshing" | "reauthenticating" | "signedOut";

/**
 * Why the session is re-authenticating or ended. The named ones come from tokenflight itself; a `sessionEnded`
 * classifier or `reportSessionEnded` may give any other string.
 */
export type SessionReason =
	| "unauthorized"
	| "refresh-failed"
	| "identity-changed"
	| "signed-out-elsewhere"
	| "answered-from-outside"
	| (string & {});

export type SessionSnapshot = {
	readonly status: SessionStatus;
	readonly identity?: string | undefined;
	readonly reason?: SessionReason | undefined;
};

export type SessionListener = (snapshot: SessionSnapshot) => void;

/** A plain external store: `subscribe` + `getSnapshot`, the shape React's `useSyncExternalStore` takes. */
export type SessionStore = {
	getSnapshot(): SessionSnapshot;
	subscribe(listener: SessionListener): () => void;
};

export function createSessionState(initial: SessionSnapshot = { status: "unknown" }) {
	let snapshot: SessionSnapshot = initial;
	const listeners = new Set<SessionListener>();

	const store: SessionStore = {
		getSnapshot: () => snapshot,
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
	};

	function update(patch: Partial<SessionSnapshot>): void {
		const next = { ...snapshot, ...patch };
		if (next.status === snapshot.status && next.identity === snapshot.identity && next.reason === snapshot.reason) return;
		// A fresh object per change, so `Object.is` comparisons (useSyncExternalStore, mobx) see it.
		snapshot = Object.freeze(next);
		for (const listener of [...listeners]) {
			try {
				listener(snapshot);
			} catch (error) {
				// One broken subscriber must not stop the others, nor the request that changed the state.
				rethrowLater(error);
			}
		}
	}

	return { store, update, clearListeners: () => listeners.clear() };
}
