import { rethrowLater } from "../core/rethrowLater.js";
import { AuthenticationError } from "../errors.js";
import type { EventHub } from "../events/events.js";
import type { TabMessage } from "../tabs/tabSync.js";
import type { TokenSet } from "../tokens/types.js";
import { fingerprint } from "./fingerprint.js";
import { createGate, type Gate } from "./gate.js";
import { cancelled, initialSessionState, reduce, type SessionEvent, type SessionState } from "./reducer.js";
import type { ReloadGuard } from "./reloadGuard.js";
import { createSessionState, type SessionReason, type SessionStore } from "./sessionState.js";

export type Reauthenticate = (reason: SessionReason) => void | Promise<TokenSet | void | undefined>;

export type SessionEndedPolicy = "reauthenticate" | "signOut";

/** Where the session's tokens are kept (a no-op for cookies): writes and clears in the order they were asked for. */
export type SessionVault = {
	/** Writes a sign-in's tokens unless the session has moved past `generation`; resolves whether they were stored. */
	store(tokens: TokenSet | undefined, generation: number): Promise<boolean>;
	/** Empties the store, after any write already under way. */
	clear(): Promise<void>;
};

/** What the refresher sees of the session: its generation, a word when it moves, and where outcomes go. */
export type RefreshSession = {
	readonly generation: number;
	/** Calls `listener` whenever the generation moves (sign-out, sign-in); returns an unsubscribe. */
	watch(listener: () => void): () => void;
	dispatch(event: Extract<SessionEvent, { type: "refreshStarted" | "refreshStored" | "refreshFailed" }>): void;
};

export type SessionOptions = {
	guard: ReloadGuard;
	reauthenticate: Reauthenticate;
	onSessionEnded?: SessionEndedPolicy | ((reason: SessionReason) => SessionEndedPolicy) | undefined;
	onSignedOut?: ((reason: SessionReason) => void) | undefined;
	publish(message: TabMessage): void;
	events?: EventHub | undefined;
	/** Hears each change after it is made (the lifetime starts and stops with the session). */
	observe?: ((event: SessionEvent, previous: SessionState) => void) | undefined;
};

/** Requests waiting on one gate: what `requests.stalled` and `requests.released` report. */
type Stall = { gate: Gate; waiting: number; total: number; since: number };

/**
 * The one owner of the session. Every change goes through `dispatch`: the pure `reduce` computes the next state,
 * subscribers hear of it once, then its effects run (the gate stalled requests wait on, the store, other tabs, the
 * app's `onSignedOut`). Everything else reads `state`.
 */
export class Session {
	state: SessionState = initialSessionState;
	/** Set once the credentials exist (they need the session first). */
	vault: SessionVault = { store: () => Promise.resolve(true), clear: () => Promise.resolve() };
	readonly store: SessionStore;
	/** Requests wait on it while `state.stalledSince` is set. */
	#gate: Gate | null = null;
	readonly #snapshot = createSessionState();
	/** Cleared by the sign-out last dispatched: `logout()` resolves once the store is empty. */
	#cleared: Promise<void> = Promise.resolve();
	/** Hear of every move of the generation (the refresher stops waiting for a call of a session that is gone). */
	readonly #watchers = new Set<() => void>();
	// An in-place sign-in whose tokens landed while a signIn() began: it stepped aside, and completes if that one fails.
	#steppedAside: (() => void) | undefined;
	#signOuts = new AbortController();

	/**
	 * Aborts, with the sign-out's error, at the next sign-out: it ends waits no stall governs (a step-up dialog). A new
	 * signal after each sign-out, so read it when the wait begins.
	 */
	get signedOut(): AbortSignal {
		return this.#signOuts.signal;
	}
	#stall: Stall | null = null;

	/** What the refresher sees of the session. */
	readonly refreshPort: RefreshSession;

	readonly #options: SessionOptions;

	constructor(options: SessionOptions) {
		this.#options = options;
		this.store = this.#snapshot.store;
		const session = this;
		this.refreshPort = {
			get generation() {
				return session.state.generation;
			},
			watch(listener) {
				session.#watchers.add(listener);
				return () => void session.#watchers.delete(listener);
			},
			dispatch: (event) => session.dispatch(event),
		};
	}

	dispatch(event: SessionEvent): void {
		const previous = this.state;
		const next = reduce(previous, event);
		// Most events change nothing (every response "proves" a session already authenticated): nothing to run then.
		if (next === previous && event.type !== "refreshStored" && event.type !== "refreshFailed" && event.type !== "signedOut") return;
		this.state = next;
		this.#snapshot.update({ status: next.status, reason: next.reason, identity: next.identity });
		if (next.generation !== previous.generation) for (const watcher of [...this.#watchers]) watcher();
		if (previous.stalledSince === null && next.stalledSince !== null) this.#gate = createGate();
		const cancels = cancelled(previous, next);
		const stall = this.#stall;
		if (stall && stall.gate === this.#gate && (cancels.includes("stall") || cancels.includes("waiting requests"))) {
			this.#stall = null;
			const outcome = cancels.includes("waiting requests") ? "failed" : "sent";
			this.#options.events?.emit({ type: "requests.released", count: stall.total, longestWaitMs: Date.now() - stall.since, outcome });
		}
		if (cancels.includes("stall")) this.#gate?.open();
		if (cancels.includes("waiting requests")) this.#gate?.fail((event as { error?: unknown }).error);
		if (next.stalledSince === null) this.#gate = null;
		this.#options.observe?.(event, previous);
		switch (event.type) {
			case "refreshStored":
				this.#options.publish({ type: "tokens", rotated: event.rotated });
				return;
			case "refreshFailed":
				if (event.dead) this.end("refresh-failed", event.credential);
				return;
			case "signedIn":
				this.#options.publish({ type: "signed-in", identity: event.identity });
				return;
			case "signedOut":
				this.#signOuts.abort(event.error);
				this.#signOuts = new AbortController();
				this.#cleared = this.vault.clear();
				if (event.reason === undefined) {
					this.#options.publish({ type: "logout" });
					return;
				}
				this.#cleared.catch(() => undefined);
				try {
					this.#options.onSignedOut?.(event.reason);
				} catch (error) {
					// The app's handler failing must not leave the session half ended.
					rethrowLater(error);
				}
				return;
			case "disposed":
				this.#snapshot.clearListeners();
				return;
		}
	}

	/**
	 * Resolves when the stall under way ends, or undefined when nothing stalls. The only ways out of a stall: the gate
	 * opens or fails, the caller's signal aborts, the client is disposed. Another stall may have begun since: ask again.
	 */
	wait(signal: AbortSignal | undefined): Promise<void> | undefined {
		const gate = this.#gate;
		const events = this.#options.events;
		if (!gate || !events?.active) return gate?.wait(signal);
		const stall = this.#stall?.gate === gate ? this.#stall : (this.#stall = { gate, waiting: 0, total: 0, since: Date.now() });
		stall.waiting++;
		stall.total++;
		events.emit({ type: "requests.stalled", count: stall.waiting });
		return gate.wait(signal).finally(() => {
			stall.waiting--;
		});
	}

	/** Where every dead-session signal goes, once: the policy decides between re-authenticating and signing out. */
	end(reason: SessionReason, credential: string | undefined): void {
		const { status, signingIn, disposed } = this.state;
		// A sign-in under way replaces the session that died.
		if (signingIn || disposed) return;
		const policy = typeof this.#options.onSessionEnded === "function" ? this.#options.onSessionEnded(reason) : this.#options.onSessionEnded;
		const { events } = this.#options;
		if (policy === "signOut") {
			if (status === "signedOut") return;
			events?.emit({ type: "session.ended", reason, action: "signOut" });
			this.signOut(reason);
			return;
		}
		if (status === "reauthenticating" || status === "signedOut") return;
		const allowed = this.#options.guard.tryAttempt(credential === undefined ? undefined : fingerprint(credential));
		events?.emit({ type: "session.ended", reason, action: allowed ? "reauthenticate" : "signOut" });
		if (allowed) return this.#reauthenticate(reason);
		events?.emit({ type: "loopGuard.tripped", reason });
		this.signOut(reason);
	}

	/**
	 * The session's lifetime ran out (`"idle"`, `"expired"`): it always signs out, whatever the policy, so the tokens never
	 * outlive it. A policy function that answers `"reauthenticate"` is then asked to, e.g. to show the login page.
	 */
	expire(reason: "idle" | "expired"): void {
		const { status, disposed } = this.state;
		if (status === "signedOut" || disposed) return;
		this.#options.events?.emit({ type: "session.ended", reason, action: "signOut" });
		this.signOut(reason);
		const { onSessionEnded } = this.#options;
		if (typeof onSessionEnded === "function" && onSessionEnded(reason) === "reauthenticate") {
			// Only to go to the login page: whatever it resolves with, the ended session's tokens are gone.
			void Promise.resolve(reason)
				.then(this.#options.reauthenticate)
				.catch(() => undefined);
		}
	}

	/** The credentials are known dead: later requests go out clean. */
	signOut(reason: SessionReason): void {
		this.dispatch({ type: "signedOut", reason, error: new AuthenticationError() });
	}

	/** Stall, then `reauthenticate`; its tokens count only while the same stall goes on in the same generation. */
	#reauthenticate(reason: SessionReason): void {
		this.dispatch({ type: "reauthenticating", reason });
		const { generation, stalledSince } = this.state;
		const current = () => this.state.stalledSince === stalledSince && this.state.generation === generation;
		let result: ReturnType<Reauthenticate>;
		try {
			result = this.#options.reauthenticate(reason);
		} catch (error) {
			result = Promise.reject(error);
		}
		if (!isPromiseLike(result)) return; // Navigating away: stalled requests never need an answer.
		result.then(
			async (tokens) => {
				if (!current()) return;
				// Stored only if no sign-out or sign-in came first; then the session moves on, and stalled requests go.
				let stored: boolean;
				try {
					stored = await this.vault.store(tokens ?? undefined, generation);
				} catch {
					// Tokens that cannot be kept (malformed, a store that threw) end the session like a refused sign-in.
					if (current()) this.signOut(reason);
					return;
				}
				const sameStall = () => this.state.stalledSince === stalledSince;
				if (stored && this.state.generation === generation) {
					if (sameStall()) this.dispatch({ type: "reauthenticated" });
					return;
				}
				// A signIn() that began during the write is newer: it completes the episode with its own tokens, and this one
				// only if it fails (requests then go with what the store holds, rather than wait for nothing).
				if (this.state.signingIn && sameStall()) {
					this.#steppedAside = () => {
						if (sameStall()) this.dispatch({ type: "reauthenticated" });
					};
				}
			},
			() => {
				// A sign-in or sign-out since it began has settled the session already.
				if (current()) this.signOut(reason);
			},
		);
	}

	async signIn(tokens: TokenSet | undefined, identity: string | undefined): Promise<void> {
		this.dispatch({ type: "signingIn" });
		const { generation } = this.state;
		let stored: boolean;
		try {
			stored = await this.vault.store(tokens, generation);
		} catch (error) {
			if (this.state.generation === generation) {
				this.dispatch({ type: "signInFailed" });
				this.#steppedAside?.();
			}
			this.#steppedAside = undefined;
			throw error;
		}
		this.#steppedAside = undefined;
		// A logout or a newer sign-in during the write (or in the moment after it) wins.
		if (stored && this.state.generation === generation) this.dispatch({ type: "signedIn", identity });
	}

	async logout(): Promise<void> {
		this.dispatch({ type: "signedOut", reason: undefined, error: new AuthenticationError() });
		// Queued behind any write under way, so once this resolves the store is empty.
		await this.#cleared;
	}

	/** What other tabs say about the session (their tokens are the credentials' business). */
	hear(message: TabMessage): void {
		const { status, identity } = this.state;
		switch (message.type) {
			case "logout":
				if (status !== "signedOut") this.signOut("signed-out-elsewhere");
				return;
			case "identity":
				if (identity !== undefined && identity !== message.identity) this.end("identity-changed", `identity:${message.identity}`);
				return;
			case "signed-in":
				// Another tab signed in: a signed-out tab picks the new session up from the shared store; a tab
				// still showing someone's data must reload, since it cannot know whose session this is.
				if (status === "signedOut") this.dispatch({ type: "adopted" });
				else if (status !== "reauthenticating" && (message.identity === undefined || message.identity !== identity)) {
					this.end("signed-out-elsewhere", `signed-in:${message.identity ?? ""}`);
				}
				return;
		}
	}
}

function isPromiseLike(value: unknown): value is PromiseLike<TokenSet | void | undefined> {
	return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}
