import ky, { type KyInstance, type Options as KyOptions } from "ky";
import { bearerCredentials, type BearerAuth } from "./auth/bearer.js";
import { cookieCredentials, type CookieAuth } from "./auth/cookie.js";
import type { Credentials, RecoveryState } from "./auth/types.js";
import { resolveBaseUrl, resolveUrl, toOrigin } from "./core/origins.js";
import { toKyOptions, type RequestOptions } from "./core/requestOptions.js";
import { mapTransportError, readJson } from "./core/responses.js";
import { createTransport, type SendRecord } from "./core/transport.js";
import { AuthenticationError, HttpError, NotReplayedError } from "./errors.js";
import { fingerprint } from "./session/fingerprint.js";
import { createSessionMachine } from "./session/machine.js";
import { createReloadGuard, persistentTabId, type ReloadGuardOptions } from "./session/reloadGuard.js";
import type { SessionReason, SessionStore } from "./session/sessionState.js";
import { createTabSync, type TabMessage, type TabsOptions } from "./tabs/tabSync.js";
import type { TokenSet } from "./tokens/types.js";

export type { BearerAuth } from "./auth/bearer.js";
export type { CookieAuth } from "./auth/cookie.js";

export type Reauthenticate = (reason: SessionReason) => void | Promise<TokenSet | void | undefined>;

export type ClientOptions = {
	/** Paths resolve against it; its origin is trusted with credentials. */
	baseUrl: string | URL;
	auth: BearerAuth | CookieAuth;
	/**
	 * Called once per episode when the session cannot be recovered. Return nothing when it navigates
	 * (every request then stalls until the page goes); return a promise when it signs in again in place
	 * (a popup, a silent iframe): on resolve, stalled requests are replayed with the new credentials.
	 * @default () => location.reload(), or signing out where there is no page to reload
	 */
	reauthenticate?: Reauthenticate;
	/** Stops reload/redirect loops. @default { maxAttempts: 2, windowMs: 60_000, storage: sessionStorage } */
	reloadGuard?: ReloadGuardOptions;
	/** Reads the user a response belongs to; a change re-authenticates with `"identity-changed"`. */
	identity?: (response: Response) => string | null | undefined;
	/** Origins besides `baseUrl`'s that receive credentials. @default [] */
	trustedOrigins?: readonly string[];
	/** A token this close to expiry is refreshed before the request is sent. @default 30_000 */
	refreshLeewayMs?: number;
	/** Passed through to `ky.create`: retry, timeout, hooks, headers, fetch… */
	ky?: KyOptions;
	/** Cross-tab coordination. @default on in browsers, off elsewhere */
	tabs?: TabsOptions | false;
};

export type Client = {
	request(path: string | URL, options?: RequestOptions): Promise<Response>;
	get<T = unknown>(path: string | URL, options?: RequestOptions): Promise<T>;
	delete<T = unknown>(path: string | URL, options?: RequestOptions): Promise<T>;
	post<T = unknown>(path: string | URL, json?: unknown, options?: RequestOptions): Promise<T>;
	put<T = unknown>(path: string | URL, json?: unknown, options?: RequestOptions): Promise<T>;
	patch<T = unknown>(path: string | URL, json?: unknown, options?: RequestOptions): Promise<T>;
	readonly session: SessionStore;
	/** Stores new tokens (bearer) after a sign-in and marks the session authenticated. */
	signIn(tokens?: TokenSet, identity?: string): Promise<void>;
	/** Clears the store and signs out; later requests go without credentials. */
	logout(): Promise<void>;
	/** Removes listeners, timers and channels; waiting and later requests reject with an AbortError. */
	dispose(): void;
};

// RFC 9110 §9.2.2: these may be sent again; anything else that reached the server never is.
const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
// An identity that keeps changing, or a session that keeps answering 401 past every guard, ends the request here.
const maxRounds = 12;

export function createClient(options: ClientOptions): Client {
	const baseUrl = resolveBaseUrl(options.baseUrl);
	const trusted = new Set([baseUrl.origin, ...(options.trustedOrigins ?? []).map(toOrigin)]);
	const isTrusted = (url: URL) => trusted.has(url.origin);
	const reauthenticate: Reauthenticate = options.reauthenticate ?? defaultReauthenticate;
	const machine = createSessionMachine();
	const api: KyInstance = ky.create(options.ky ?? {});
	const baseFetch: typeof fetch = options.ky?.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const disposeController = new AbortController();

	const tabs = createTabSync(options.tabs, onTabMessage);
	// With tabs coordinated, the loop guard's budget is shared through localStorage (see ReloadGuard.tryAttempt).
	const guard = createReloadGuard({
		...(tabs ? { storage: sharedStorage(), tabId: persistentTabId() } : {}),
		...options.reloadGuard,
	});
	let guardPending = guard.attempts() > 0;

	const credentials: Credentials =
		options.auth.type === "bearer"
			? bearerCredentials(options.auth, { machine, tabs, leewayMs: options.refreshLeewayMs ?? 30_000, onDead: enterReauthentication })
			: cookieCredentials(options.auth);
	tabs?.onVisible(() => void credentials.refreshIfExpiring().catch(() => undefined));

	/** The once-only path every dead-session signal takes: guard, stall, then `reauthenticate`. */
	function enterReauthentication(reason: SessionReason, credential: string | undefined): void {
		const { status } = machine;
		if (status === "reauthenticating" || status === "signedOut" || disposeController.signal.aborted) return;
		if (!guard.tryAttempt(credential === undefined ? undefined : fingerprint(credential))) {
			signOut(reason);
			return;
		}
		guardPending = true;
		machine.dispatch({ type: "reauthenticating", reason });
		const episode = machine.gate;
		const generation = machine.generation;
		let result: ReturnType<Reauthenticate>;
		try {
			result = reauthenticate(reason);
		} catch (error) {
			result = Promise.reject(error);
		}
		if (!isPromiseLike(result)) return; // Navigating away: stalled requests never need an answer.
		result.then(
			async (tokens) => {
				if (machine.gate !== episode || machine.generation !== generation) return;
				// Stored only if no sign-out or sign-in came first; then the session moves on, and stalled requests go.
				if (!(await credentials.store(tokens ?? undefined, generation))) return;
				if (machine.gate === episode) machine.dispatch({ type: "reauthenticated" });
			},
			() => {
				if (machine.gate === episode) signOut(reason);
			},
		);
	}

	/** The credentials are known dead: later requests go out clean. */
	function signOut(reason: SessionReason): void {
		machine.dispatch({ type: "signedOut", reason, error: new AuthenticationError() });
		void credentials.clear().catch(() => undefined);
	}

	function onTabMessage(message: TabMessage): void {
		const { status, identity } = machine;
		switch (message.type) {
			case "logout":
				if (status !== "signedOut") signOut("signed-out-elsewhere");
				break;
			case "identity":
				if (identity !== undefined && identity !== message.identity) enterReauthentication("identity-changed", `identity:${message.identity}`);
				break;
			case "signed-in":
				// Another tab signed in: a signed-out tab picks the new session up from the shared store; a tab
				// still showing someone's data must reload, since it cannot know whose session this is.
				if (status === "signedOut") machine.dispatch({ type: "adopted" });
				else if (status !== "reauthenticating" && (message.identity === undefined || message.identity !== identity)) {
					enterReauthentication("signed-out-elsewhere", `signed-in:${message.identity ?? ""}`);
				}
				break;
			case "tokens":
				if (message.rotated !== undefined) credentials.rotatedElsewhere(message.rotated);
				break;
		}
	}

	// The only ways out of a stall: the gate opens or fails, the caller's signal aborts, the client is disposed.
	async function whenSendable(signal: AbortSignal | undefined): Promise<void> {
		for (let gate = machine.gate; gate; gate = machine.gate) await gate.wait(signal);
		throwIfDisposed();
	}

	function throwIfDisposed(): void {
		if (disposeController.signal.aborted) throw disposedError();
	}

	async function send(url: URL, init: RequestOptions, tokens: TokenSet | undefined, record: SendRecord, session: boolean): Promise<Response> {
		const method = (init.method ?? "GET").toUpperCase();
		const headers = session ? credentials.headers(tokens, method) : [];
		const plan = {
			isTrusted,
			headers,
			credentials: session ? credentials.mode(init.credentials) : (init.credentials ?? "omit"),
			foreignCredentials: "omit" as const,
			// fetch strips Authorization on a cross-origin redirect, but keeps every other header.
			manualRedirects: headers.some(([name]) => name.toLowerCase() !== "authorization"),
		};
		const kyFetch = init.fetch ?? baseFetch;
		try {
			return await api(url, {
				...toKyOptions(init),
				method,
				fetch: createTransport(kyFetch, plan, record),
				throwHttpErrors: (code) => code !== 401,
			});
		} catch (error) {
			throw mapTransportError(error);
		}
	}

	async function request(path: string | URL, init: RequestOptions = {}): Promise<Response> {
		throwIfDisposed();
		const url = resolveUrl(path, baseUrl);
		const signal = init.signal ?? undefined;
		const method = (init.method ?? "GET").toUpperCase();
		if (init.auth === false || !isTrusted(url)) {
			const record: SendRecord = { url: undefined, trusted: false };
			const response = await send(url, init, undefined, record, false);
			throwIfDisposed();
			if (response.status === 401) throw foreignUnauthorized(response, url, init);
			return response;
		}
		const recovery: RecoveryState = { retriedWithNewToken: false, refreshes: 0 };
		let sawUnauthorized = false;
		for (let round = 0; ; round++) {
			await whenSendable(signal);
			if (round >= maxRounds || (sawUnauthorized && machine.status === "signedOut")) throw unauthorized(undefined, url, init);
			const generation = machine.generation;
			const tokens = await credentials.prepare(signal);
			throwIfDisposed();
			if (machine.gate || machine.generation !== generation) continue;
			const record: SendRecord = { url: undefined, trusted: true };
			const response = await send(url, init, tokens, record, true);
			throwIfDisposed();
			// Redirected off the trusted origins: whatever it says, it says nothing about this session.
			if (!record.trusted) {
				if (response.status === 401) throw foreignUnauthorized(response, url, init);
				return response;
			}
			credentials.observe(response);
			const stale = machine.generation !== generation;
			if (response.status === 401) {
				discard(response);
				sawUnauthorized = true;
				if (machine.status === "signedOut") throw unauthorized(response, url, init);
				// Sent with an older session's credentials, or during a re-authentication: try again with what is current.
				if (stale || machine.status === "reauthenticating") continue;
				const next = await credentials.recover(tokens, recovery, signal);
				throwIfDisposed();
				if (next.type === "fail") throw next.error;
				if (next.type === "reauthenticate") enterReauthentication(next.reason, next.credential);
				continue;
			}
			if (!accept(response, stale)) {
				discard(response);
				if (machine.status === "signedOut" && machine.gate === null && idempotentMethods.has(method)) throw unauthorized(response, url, init);
				if (idempotentMethods.has(method)) continue;
				// It reached the server: sending it again could do it twice.
				await settled(signal);
				throw new NotReplayedError({ request: describe(url, init) });
			}
			if (response.ok && guardPending) {
				const credential = credentials.credentialOf(tokens);
				if (guard.settle(credential === undefined ? undefined : fingerprint(credential))) guardPending = false;
			}
			if (response.ok && (tokens || options.auth.type === "cookie")) machine.dispatch({ type: "proved" });
			return response;
		}
	}

	/**
	 * Whether a response may reach the caller. One sent under an older generation (before a sign-in, sign-out or
	 * re-authentication) only does when it is provably the pinned user's; it never pins anyone.
	 */
	function accept(response: Response, stale: boolean): boolean {
		const seen = options.identity?.(response) || undefined;
		const pinned = machine.identity;
		if (stale) return seen !== undefined && seen === pinned;
		if (seen === undefined || seen === pinned) return true;
		tabs?.publish({ type: "identity", identity: seen });
		if (pinned === undefined) {
			machine.dispatch({ type: "identityPinned", identity: seen });
			return true;
		}
		enterReauthentication("identity-changed", `identity:${seen}`);
		return false;
	}

	// The session has settled when nothing stalls: signed in again, or signed out.
	async function settled(signal: AbortSignal | undefined): Promise<void> {
		try {
			await whenSendable(signal);
		} catch (error) {
			if (disposeController.signal.aborted || signal?.aborted) throw error;
		}
	}

	function describe(url: URL, init: RequestOptions): Request {
		return new Request(url, { method: init.method ?? "GET" });
	}

	function unauthorized(response: Response | undefined, url: URL, init: RequestOptions): AuthenticationError {
		return new AuthenticationError({ response, request: describe(url, init) });
	}

	// A 401 from outside the session (an untrusted origin, `auth: false`) says nothing about the session.
	function foreignUnauthorized(response: Response, url: URL, init: RequestOptions): HttpError {
		return new HttpError(401, { response, request: describe(url, init) });
	}

	async function json<T>(path: string | URL, init: RequestOptions): Promise<T> {
		const response = await request(path, init);
		return readJson<T>(response, () => describe(resolveUrl(path, baseUrl), init));
	}

	return {
		request,
		get: (path, init = {}) => json(path, { ...init, method: "GET" }),
		delete: (path, init = {}) => json(path, { ...init, method: "DELETE" }),
		post: (path, body, init = {}) => json(path, withBody(init, "POST", body)),
		put: (path, body, init = {}) => json(path, withBody(init, "PUT", body)),
		patch: (path, body, init = {}) => json(path, withBody(init, "PATCH", body)),
		session: machine.store,
		async signIn(tokens, identity) {
			throwIfDisposed();
			machine.dispatch({ type: "signingIn" });
			const generation = machine.generation;
			// A logout or a newer sign-in during the write wins: this one then changes nothing.
			if (!(await credentials.store(tokens, generation))) return;
			machine.dispatch({ type: "signedIn", identity });
			tabs?.publish({ type: "signed-in", identity });
		},
		async logout() {
			machine.dispatch({ type: "signedOut", reason: undefined, error: new AuthenticationError() });
			tabs?.publish({ type: "logout" });
			// Queued behind any write under way, so once this resolves the store is empty.
			await credentials.clear();
		},
		dispose() {
			if (disposeController.signal.aborted) return;
			disposeController.abort();
			credentials.dispose();
			tabs?.dispose();
			machine.dispatch({ type: "disposed", error: disposedError() });
			machine.clearListeners();
		},
	};
}

// Never awaited: under msw 2 a cancel can stay pending forever, and nothing on the request path may wait for it.
function discard(response: Response): void {
	try {
		void response.body?.cancel().catch(() => undefined);
	} catch {
		// A locked or already consumed body has nothing left to release.
	}
}

function defaultReauthenticate(): void | Promise<undefined> {
	const location = (globalThis as { location?: { reload?: () => void } }).location;
	if (typeof location?.reload === "function") return location.reload();
	// Nothing to reload: the session ends.
	return Promise.reject(new Error("no page to reload"));
}

function disposedError(): DOMException {
	return new DOMException("The tokenflight client was disposed", "AbortError");
}

function withBody(init: RequestOptions, method: string, body: unknown): RequestOptions {
	if (body === undefined) return { ...init, method };
	return isJsonBody(body) ? { ...init, method, json: body } : { ...init, method, body: body as BodyInit };
}

/** Plain objects and arrays become JSON; FormData, Blob, URLSearchParams, buffers, streams and strings go as they are. */
function isJsonBody(body: unknown): boolean {
	if (Array.isArray(body) || body === null) return true;
	if (typeof body !== "object") return typeof body === "number" || typeof body === "boolean";
	const prototype = Object.getPrototypeOf(body);
	return prototype === Object.prototype || prototype === null;
}

function isPromiseLike(value: unknown): value is PromiseLike<TokenSet | void | undefined> {
	return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

function sharedStorage() {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null;
	}
}
