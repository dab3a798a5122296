import { Component, createElement, useCallback, useSyncExternalStore, type ReactNode } from "react";
import { isSessionError } from "../session/sessionErrors.js";
import type { SessionSnapshot, SessionStore } from "../session/sessionState.js";

export { isSessionError };

type SessionSource = { session: SessionStore };

// What the server renders and hydration starts from: nobody is known before the browser's client has said so.
const unknown: SessionSnapshot = Object.freeze({ status: "unknown" });

export type UseSessionOptions = {
	/**
	 * The snapshot server rendering uses, and hydration starts from (it must match what the server rendered).
	 * @default { status: "unknown" }
	 */
	serverSnapshot?: SessionSnapshot;
};

/** The client's session snapshot; the component renders again on every change. Works in server rendering and hydration. */
export function useSession(client: SessionSource, options: UseSessionOptions = {}): SessionSnapshot {
	if (typeof client?.session?.subscribe !== "function") throw new TypeError(`useSession: client must be a tokenflight client; got ${client === null ? "null" : typeof client}`);
	const { session } = client;
	const subscribe = useCallback((onChange: () => void) => session.subscribe(onChange), [session]);
	const server = options.serverSnapshot ?? unknown;
	return useSyncExternalStore(subscribe, session.getSnapshot, () => server);
}

export type SessionBoundaryProps = {
	client: SessionSource;
	/** What shows once the session is `signedOut`: the app's sign-in screen. */
	signedOut: ReactNode;
	/**
	 * What shows while the session re-authenticates, and in place of a child that threw a session error
	 * (`isSessionError`): a calm "signing you in again". Requests stall meanwhile, so there is nothing to retry.
	 * @default null
	 */
	reauthenticating?: ReactNode;
	/** @default the snapshot `useSession` uses on the server */
	serverSnapshot?: SessionSnapshot;
	children?: ReactNode;
};

/**
 * Renders `children` while the session works, `signedOut` once it ended, and `reauthenticating` while it is being
 * renewed, so children never show the errors of requests that a dead or renewing session rejected. Other errors
 * go on to the app's own error boundary.
 */
export function SessionBoundary(props: SessionBoundaryProps): ReactNode {
	const snapshot = useSession(props.client, props.serverSnapshot ? { serverSnapshot: props.serverSnapshot } : {});
	if (snapshot.status === "signedOut") return props.signedOut;
	const calm = props.reauthenticating ?? null;
	if (snapshot.status === "reauthenticating") return calm;
	return createElement(SessionErrors, { snapshot, calm }, props.children);
}

type SessionErrorsProps = { snapshot: SessionSnapshot; calm: ReactNode; children?: ReactNode };

/** Catches a child's session error and shows the calm state until the session changes; rethrows everything else. */
class SessionErrors extends Component<SessionErrorsProps, { error?: unknown; caught?: boolean }> {
	override state: { error?: unknown; caught?: boolean } = {};

	static getDerivedStateFromError(error: unknown) {
		return { error, caught: true };
	}

	override componentDidUpdate(previous: SessionErrorsProps): void {
		// The session moved on (signed in again, another user): the children get another try.
		if (this.state.caught && previous.snapshot !== this.props.snapshot) this.setState({ error: undefined, caught: false });
	}

	override render(): ReactNode {
		if (!this.state.caught) return this.props.children;
		if (isSessionError(this.state.error)) return this.props.calm;
		throw this.state.error;
	}
}
