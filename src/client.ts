import ky, { type KyInstance, type Options as KyOptions } from "ky";
import type { BearerAuth, BearerContext } from "./auth/bearer.js";
import type { CookieAuth } from "./auth/cookie.js";
import { classifyChallenge, parseChallenges, type SafeChallenge } from "./auth/challenge.js";
import type { Credentials, RecoveryState } from "./auth/types.js";
import { abortable, discard, disposedError, rethrowLater } from "./core/deferred.js";
import { resolveBaseUrl, resolveUrl, toOrigin } from "./core/origins.js";
import { toKyOptions, type RequestOptions } from "./core/requestOptions.js";
import { markClientFetch, pageFetch } from "./core/pageFetch.js";
import { createRedaction } from "./core/redaction.js";
import { mapTransportError, readJson } from "./core/responses.js";
import { createTransport, SupersededError, type SendRecord } from "./core/transport.js";
import {
	ApiError,
	AuthenticationError,
	BodyNotReplayableError,
	NetworkError,
	HttpError,
	InsufficientScopeError,
	InvalidDPoPProofError,
	NotReplayedError,
	StepUpRequiredError,
	UseDPoPNonceError,
	type ApiErrorOptions,
} from "./errors.js";
import { fingerprint } from "./session/fingerprint.js";
import { createSessionMachine } from "./session/machine.js";
import { createReloadGuard, persistentTabId, type ReloadGuardOptions } from "./session/reloadGuard.js";
import type { SessionEnded } from "./session/sessionEnded.js";
import type { SessionReason, SessionStore } from "./session/sessionState.js";
import { createTabSync, type TabMessage, type TabsOptions } from "./tabs/tabSync.js";
import { isTokenSet } from "./tokens/tokenStores.js";
import type { TokenSet } from "./tokens/types.js";

export type { BearerAuth } from "./auth/bearer.js";
export type { CookieAuth } from "./auth/cookie.js";

export type Reauthenticate = (reason: SessionReason) => void | Promise<TokenSet | void | undefined>;

export type SessionEndedPolicy = "reauthenticate" | "signOut";

export type StepUpContext = {
	/** RFC 9470 `acr_values`: the authentication context classes the server accepts, most preferred first. */
	acrValues: readonly string[] | undefined;
	/** RFC 9470 `max_age`: how many seconds ago the user may have last authenticated. */
	maxAge: number | undefined;
	/** The request that was challenged, without credentials. */
	request: Request;
	challenge: SafeChallenge;
};

/**
 * Runs a step-up authentication (RFC 9470). Resolve with the new tokens (bearer), or `true` once the session cookie
 * is upgraded (cookie): the challenged request is retried once. Resolve with nothing when it navigated away: the
 * request then waits for the page to go (or its signal).
 */
export type StepUp = (context: StepUpContext) => Promise<TokenSet | boolean | void | undefined> | TokenSet | boolean | void | undefined;

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
	/**
	 * Finds dead sessions that do not answer 401: a redirect to a portal, an HTML page, a 403 `user_suspended`.
	 * See `answeredFromOutside()` for a ready-made one.
	 */
	sessionEnded?: SessionEnded;
	/**
	 * What a dead session does. `"reauthenticate"` calls `reauthenticate` (a reload by default) under the loop guard;
	 * `"signOut"` moves to `signedOut` at once, clears the store and calls `onSignedOut`. A function decides per reason
	 * (reload for one, sign out for another). @default "reauthenticate"
	 */
	onSessionEnded?: SessionEndedPolicy | ((reason: SessionReason) => SessionEndedPolicy);
	/** Called once each time a dead session ends in `signedOut` (not after `logout()`), with the reason. */
	onSignedOut?: (reason: SessionReason) => void;
	/** Handles RFC 9470 step-up challenges. Without it such requests reject with `StepUpRequiredError`. */
	stepUp?: StepUp;
	/** Share one response among identical requests in flight (same method, URL and body; not with a `signal`). @default false */
	dedupe?: boolean;
	/**
	 * Turns a tokenflight error into the app's own (Outline's `NotFoundError`, `OfflineError`, …): an `HttpError` has
	 * `status`, the parsed body in `data` and the server's message. Return nothing to keep tokenflight's. Not applied
	 * to `client.fetch`, which answers as fetch does.
	 */
	errorFor?: (error: ApiError) => Error | undefined | void;
};

export type Client = {
	request(path: string | URL, options?: RequestOptions): Promise<Response>;
	/**
	 * The standard `fetch(input, init)`, keeping every guarantee: trusted-origin credentials, single-flight refresh,
	 * the stall, the identity pin, the loop guard and challenges. Statuses resolve as fetch resolves them; once the
	 * session is signed out a 401 resolves as the 401 it is. Hand it to libraries that take a `fetch`.
	 */
	fetch: typeof globalThis.fetch;
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
	/** A dead session the app found itself (a 401 inside a batch reply): takes the same once-only path as a 401. */
	reportSessionEnded(reason: SessionReason): void;
	/** Removes listeners, timers and channels; waiting and later requests reject with an AbortError. */
	dispose(): void;
};

// RFC 9110 §9.2.2: these may be sent again; anything else that reached the server never is.
const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
// An identity that keeps changing, or a session that keeps answering 401 past every guard, ends the request here.
const maxRounds = 12;

/** Builds the credentials a client attaches; `createClient` and `tokenflight/cookie` each pass their own. */
export type CredentialsFactory = (auth: ClientOptions["auth"], context: BearerContext) => Credentials;

/** The request loop and the session, with the credentials left to `makeCredentials`. */
export function createClientWith(options: ClientOptions, makeCredentials: CredentialsFactory): Client {
	const baseUrl = resolveBaseUrl(options.baseUrl);
	const trusted = new Set([baseUrl.origin, ...(options.trustedOrigins ?? []).map(toOrigin)]);
	const isTrusted = (url: URL) => trusted.has(url.origin);
	const reauthenticate: Reauthenticate = options.reauthenticate ?? defaultReauthenticate;
	const machine = createSessionMachine();
	// No timeout unless the app asks for one: a slow answer is still an answer (ky's own default is 10 s).
	const api: KyInstance = ky.create({ timeout: false, ...options.ky });
	// The page's fetch as the client is created: `client.fetch` sends through it even once it has become the global fetch.
	const createdOver = options.ky?.fetch ? undefined : pageFetch();
	const baseFetch: typeof fetch = options.ky?.fetch ?? ((input, init) => pageFetch()(input, init));
	// ky's options are ky.create's: a client-level `credentials` holds for every request that sets none.
	const clientCredentials = options.ky?.credentials;
	const disposeController = new AbortController();

	const tabs = createTabSync(options.tabs === undefined || options.tabs ? { lockTimeoutMs: longestRefresh(options.auth), ...options.tabs } : false, onTabMessage, options.tabs === undefined);
	// With tabs coordinated, the loop guard's budget is shared through localStorage (see ReloadGuard.tryAttempt).
	const guard = createReloadGuard({
		...(tabs ? { storage: sharedStorage(), tabId: persistentTabId() } : {}),
		...options.reloadGuard,
	});

	const { auth } = options;
	const credentials = makeCredentials(auth, { machine, tabs, leewayMs: options.refreshLeewayMs ?? 30_000, onDead: endSession });
	tabs?.onVisible(() => void credentials.refreshIfExpiring().catch(() => undefined));

	// The credential the latest trusted request went with: what `reportSessionEnded` names as dead.
	let lastCredential: string | undefined;
	// The latest secrets requests carried (tokens, CSRF values): never quoted by an error, whatever the server echoes.
	const redaction = createRedaction();
	const redact = <T,>(error: T): T => redaction.error(error);
	let stepUpFlight: Promise<TokenSet | boolean | void | undefined> | null = null;
	// An in-place sign-in whose tokens landed while a signIn() began: it stepped aside, and completes if that one fails.
	let steppedAside: (() => void) | undefined;

	/** Where every dead-session signal goes, once: the policy decides between re-authenticating and signing out. */
	function endSession(reason: SessionReason, credential: string | undefined): void {
		// A sign-in under way replaces the session that died.
		if (machine.signingIn) return;
		const policy = typeof options.onSessionEnded === "function" ? options.onSessionEnded(reason) : options.onSessionEnded;
		if (policy === "signOut") {
			if (machine.status !== "signedOut" && !disposeController.signal.aborted) signOut(reason);
			return;
		}
		enterReauthentication(reason, credential);
	}

	/** Guard, stall, then `reauthenticate`. */
	function enterReauthentication(reason: SessionReason, credential: string | undefined): void {
		const { status } = machine;
		if (status === "reauthenticating" || status === "signedOut" || disposeController.signal.aborted) return;
		if (!guard.tryAttempt(credential === undefined ? undefined : fingerprint(credential))) {
			signOut(reason);
			return;
		}
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
				let stored: boolean;
				try {
					stored = await credentials.store(tokens ?? undefined, generation);
				} catch {
					// Tokens that cannot be kept (malformed, a store that threw) end the session like a refused sign-in.
					if (machine.gate === episode && machine.generation === generation) signOut(reason);
					return;
				}
				if (!stored || machine.generation !== generation) {
					// A signIn() that began during the write is newer: it completes the episode with its own tokens, and this one
					// only if it fails (requests then go with what the store holds, rather than wait for nothing).
					if (machine.signingIn && machine.gate === episode) {
						steppedAside = () => {
							if (machine.gate === episode) machine.dispatch({ type: "reauthenticated" });
						};
					}
					return;
				}
				if (machine.gate === episode) machine.dispatch({ type: "reauthenticated" });
			},
			() => {
				// A sign-in or sign-out since it began has settled the session already.
				if (machine.gate === episode && machine.generation === generation) signOut(reason);
			},
		);
	}

	/** The credentials are known dead: later requests go out clean. */
	function signOut(reason: SessionReason): void {
		machine.dispatch({ type: "signedOut", reason, error: new AuthenticationError() });
		void credentials.clear().catch(() => undefined);
		try {
			options.onSignedOut?.(reason);
		} catch (error) {
			// The app's handler failing must not leave the session half ended.
			rethrowLater(error);
		}
	}

	function onTabMessage(message: TabMessage): void {
		const { status, identity } = machine;
		switch (message.type) {
			case "logout":
				if (status !== "signedOut") signOut("signed-out-elsewhere");
				break;
			case "identity":
				if (identity !== undefined && identity !== message.identity) endSession("identity-changed", `identity:${message.identity}`);
				break;
			case "signed-in":
				// Another tab signed in: a signed-out tab picks the new session up from the shared store; a tab
				// still showing someone's data must reload, since it cannot know whose session this is.
				if (status === "signedOut") machine.dispatch({ type: "adopted" });
				else if (status !== "reauthenticating" && (message.identity === undefined || message.identity !== identity)) {
					endSession("signed-out-elsewhere", `signed-in:${message.identity ?? ""}`);
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

	async function send(url: URL, init: RequestOptions, tokens: TokenSet | undefined, record: SendRecord, session: boolean, raw: boolean, generation = machine.generation): Promise<Response> {
		const method = (init.method ?? "GET").toUpperCase();
		const headersFor = (hopMethod: string) => (session ? credentials.headers(tokens, hopMethod.toUpperCase()) : []);
		const headers = headersFor(method);
		redaction.remember([tokens?.accessToken, tokens?.refreshToken, ...headers.map(([, value]) => value)]);
		const sign = session ? credentials.sign : undefined;
		const requested = init.credentials ?? clientCredentials;
		const plan = {
			// Checked as the request leaves (and as ky retries it): credentials of a session that ended meanwhile never
			// go out, and nothing goes out while the session is being re-established.
			isCurrent: () => !session || (machine.generation === generation && machine.gate === null),
			isTrusted,
			// Each hop's own: a 303 turns a POST into a GET, which carries no CSRF value.
			headers: (hopMethod: string) => (hopMethod.toUpperCase() === method ? headers : headersFor(hopMethod)),
			sign: sign && ((method: string, target: URL) => sign(tokens, method, target)),
			credentials: session ? credentials.mode(requested) : (requested ?? "omit"),
			foreignCredentials: "omit" as const,
			replayable: !isStream(init.body),
		};
		const kyFetch = init.fetch ?? baseFetch;
		try {
			return await api(url, {
				...toKyOptions(init),
				method,
				fetch: createTransport(kyFetch, plan, record),
				// `client.fetch` answers every status as fetch does; the rest throw for anything but a 401 the loop handles.
				throwHttpErrors: raw ? false : (code) => code !== 401,
			});
		} catch (error) {
			throw redact(mapTransportError(error));
		}
	}

	type Mode = { expectsJson: boolean; raw: boolean };

	async function request(path: string | URL, init: RequestOptions, mode: Mode): Promise<Response> {
		throwIfDisposed();
		const url = resolveUrl(path, baseUrl);
		const signal = init.signal ?? undefined;
		const method = (init.method ?? "GET").toUpperCase();
		// What the caller gets instead of an AuthenticationError from `client.fetch`: the 401 itself, so its own branch runs.
		const unauthenticated = (response: Response | undefined, challenge?: SafeChallenge): Response => {
			if (mode.raw) return response ?? new Response(null, { status: 401, statusText: "Unauthorized" });
			throw unauthorized(response, url, init, challenge);
		};
		if (init.auth === false || init.auth === "neutral" || !isTrusted(url)) {
			const session = init.auth === "neutral" && isTrusted(url);
			const generation = machine.generation;
			const tokens = session ? await credentials.prepare(signal) : undefined;
			const record: SendRecord = { url: undefined, trusted: false };
			const response = await send(url, init, tokens, record, session, mode.raw, generation).catch((error: unknown) => {
				if (error instanceof SupersededError) return undefined;
				throw error;
			});
			// The session changed as it left: ask again with what is current.
			if (response === undefined) return request(path, init, mode);
			throwIfDisposed();
			if (response.status === 401 && !mode.raw) throw redact(await foreignUnauthorized(response, url, init));
			return response;
		}
		const recovery: RecoveryState = { retriedWithNewToken: false, refreshes: 0 };
		// A request begun before a sign-out belongs to the user who left: it never goes out with the next one's credentials.
		const signOutsAtStart = machine.signOuts;
		let sawUnauthorized = false;
		// How the last round ended: its credentials died (a 401, a classifier match), or it failed (kept to rethrow).
		let diedLastRound = false;
		let lastFailure: unknown;
		let steppedUp = false;
		let nonceRetried = false;
		let proofRetried = false;
		// A stream body, once it has left, cannot go again: a round that would resend it fails instead.
		let streamSent = false;
		for (let round = 0; ; round++) {
			try {
				await whenSendable(signal);
			} catch (error) {
				// Signed out while this request waited: `client.fetch` answers 401 like the server would.
				if (mode.raw && error instanceof AuthenticationError) return unauthenticated(undefined);
				throw error;
			}
			if (sawUnauthorized && machine.status === "signedOut") return unauthenticated(undefined);
			if (round >= maxRounds) {
				// Round after round the credentials died, up to the last: the session cannot be re-established, so it ends
				// here, not in a loop.
				if (diedLastRound) {
					signOut("unauthorized");
					return unauthenticated(undefined);
				}
				// The last round failed (the network, while re-authentications came and went): that failure is the answer.
				if (lastFailure !== undefined) throw lastFailure;
				// The session changed under this request round after round: each answer was an older session's.
				throw new NotReplayedError({ request: describe(url, init) });
			}
			diedLastRound = false;
			lastFailure = undefined;
			if (round > 0 && machine.signOuts !== signOutsAtStart) return unauthenticated(undefined);
			const generation = machine.generation;
			const tokens = await credentials.prepare(signal);
			throwIfDisposed();
			if (machine.gate || machine.generation !== generation) continue;
			if (streamSent) throw new BodyNotReplayableError("The request has to be sent again for the current session", { request: describe(url, init) });
			const record: SendRecord = { url: undefined, trusted: true };
			lastCredential = credentials.credentialOf(tokens);
			let response: Response | undefined;
			let failure: unknown;
			try {
				response = await send(url, init, tokens, record, true, mode.raw, generation);
			} catch (error) {
				failure = error;
			}
			throwIfDisposed();
			streamSent = record.sent === true && isStream(init.body);
			if (failure instanceof SupersededError) continue;
			const answer = response ?? (failure instanceof ApiError ? failure.response : undefined);
			const stale = machine.generation !== generation;
			// Redirected off the trusted origins: what the other origin says means nothing for this session. Only the
			// redirect itself may, when the app's classifier says so (an SSO portal's or auth proxy's login page).
			if (!record.trusted) {
				const reason = answer && (await classify(answer, failure, url, init, mode.expectsJson, record));
				if (reason) {
					discard(answer);
					sawUnauthorized = diedLastRound = true;
					if (machine.status === "signedOut") return unauthenticated(undefined);
					if (!stale) endSession(reason, lastCredential);
					continue;
				}
				if (response === undefined) throw failure;
				if (response.status === 401 && !mode.raw) throw redact(await foreignUnauthorized(response, url, init));
				return response;
			}
			if (answer) credentials.observe(answer, record.url);

			// A 401 or 403 means what its challenge says (RFC 6750 §3, RFC 9470, RFC 9449).
			const challenge = answer && (answer.status === 401 || answer.status === 403) ? classifyChallenge(parseChallenges(answer.headers)) : undefined;
			const details: ApiErrorOptions = { response: answer, request: describe(url, init), challenge: challenge && "challenge" in challenge ? challenge.challenge : undefined };
			// RFC 9449 §7.1: the proof was refused, not the token. A refresh cannot fix that; a fresh proof may, once.
			const badProof = challenge?.kind === "other" && challenge.challenge.scheme === "dpop" && challenge.challenge.params.error === "invalid_dpop_proof";
			const notSessionWide = challenge?.kind === "insufficient-scope" || challenge?.kind === "dpop-nonce" || badProof || (challenge?.kind === "step-up" && machine.status !== "signedOut");
			if (badProof && credentials.sign && !proofRetried) {
				if (response) discard(response);
				proofRetried = true;
				continue;
			}
			// RFC 9449 §9: the nonce came with this answer; one more try with it, which is no refresh and no re-authentication.
			if (challenge?.kind === "dpop-nonce" && credentials.retriesNonce && !nonceRetried) {
				if (response) discard(response);
				nonceRetried = true;
				continue;
			}
			if (notSessionWide && challenge.kind === "step-up" && options.stepUp && !steppedUp) {
				if (response) discard(response);
				steppedUp = true;
				await stepUp({ acrValues: challenge.acrValues, maxAge: challenge.maxAge, request: describe(url, init), challenge: challenge.challenge }, signal);
				continue;
			}
			if (notSessionWide) {
				// The session is fine: this request alone lacks something. `client.fetch` hands the answer over as it is.
				if (mode.raw && response) return response;
				if (response) discard(response);
				if (challenge.kind === "insufficient-scope") throw redact(new InsufficientScopeError(challenge.scope, details));
				if (challenge.kind === "dpop-nonce") throw redact(new UseDPoPNonceError(details));
				if (challenge.kind === "step-up") throw redact(new StepUpRequiredError(challenge, details));
				throw redact(new InvalidDPoPProofError(details));
			}

			if (response?.status !== 401) {
				const reason = await classify(answer, failure, url, init, mode.expectsJson, record);
				if (reason) {
					if (answer) discard(answer);
					sawUnauthorized = diedLastRound = true;
					if (machine.status === "signedOut") return unauthenticated(undefined, details.challenge);
					if (!stale) endSession(reason, lastCredential);
					// A 2xx answered directly says the server acted on it, whatever the body looks like: a write is not
					// done twice. One reached through a redirect is the login page's (seed 001): the write was turned away.
					if (answer?.ok && !answer.redirected && !record.redirected && !idempotentMethods.has(method)) {
						await settled(signal);
						throw new NotReplayedError({ request: describe(url, init) });
					}
					continue;
				}
			}
			if (response === undefined) {
				// Failed while the session is being re-established (a reload under way, a sign-in in place): the failure
				// is likely the dead session's, so it waits like every other request instead of reaching the caller.
				if ((stale || machine.status === "reauthenticating") && !isAbort(failure, signal)) {
					lastFailure = failure;
					if (idempotentMethods.has(method)) continue;
					await settled(signal);
				}
				throw failure;
			}

			// A 401 after a redirect may come from a hop that lost the token on the way (fetch strips Authorization
			// across origins): it says nothing certain about this session.
			if (response.status === 401 && response.redirected) {
				if (mode.raw) return response;
				throw redact(await foreignUnauthorized(response, url, init));
			}
			if (response.status === 401) {
				sawUnauthorized = diedLastRound = true;
				if (machine.status === "signedOut") return unauthenticated(response, details.challenge);
				discard(response);
				// Sent with an older session's credentials, or during a re-authentication: try again with what is current.
				if (stale || machine.status === "reauthenticating") continue;
				const next = await credentials.recover(tokens, recovery, signal);
				throwIfDisposed();
				if (next.type === "fail") throw next.error;
				if (next.type === "reauthenticate") endSession(next.reason, next.credential);
				continue;
			}
			if (!accept(response, stale)) {
				discard(response);
				if (machine.status === "signedOut" && machine.gate === null && idempotentMethods.has(method)) return unauthenticated(undefined);
				if (idempotentMethods.has(method)) continue;
				// It reached the server: sending it again could do it twice.
				await settled(signal);
				throw new NotReplayedError({ request: describe(url, init) });
			}
			if (response.ok && (tokens || auth.type === "cookie")) machine.dispatch({ type: "proved" });
			return response;
		}
	}

	// Identical requests in flight share one response; each caller reads its own copy.
	const inFlight = new Map<string, Promise<Response>>();

	function run(path: string | URL, init: RequestOptions, mode: Mode): Promise<Response> {
		const key = (init.dedupe ?? options.dedupe) && !init.signal ? dedupeKey(resolveUrl(path, baseUrl), init, mode, machine.generation) : undefined;
		const rethrowMapped = (raw: unknown): never => {
			// Whatever path it took, nothing thrown leaves with a secret in it (its cause chain included).
			const error = redact(raw);
			const mapped = error instanceof ApiError && options.errorFor && !mode.raw ? options.errorFor(error) : undefined;
			throw mapped ?? error;
		};
		if (key === undefined) return request(path, init, mode).catch(rethrowMapped);
		let shared = inFlight.get(key);
		if (!shared) {
			shared = request(path, init, mode).finally(() => inFlight.delete(key));
			inFlight.set(key, shared);
		}
		return shared.then((response) => response.clone(), rethrowMapped);
	}

	/** `fetch(input, init)` with every guarantee of the client; HTTP statuses resolve as fetch resolves them. */
	async function clientFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
		const base = (globalThis as { location?: { href?: string } }).location?.href ?? baseUrl.href;
		const incoming = new Request(typeof input === "string" ? new URL(input, base) : input, init);
		const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
		// The loop may send it more than once (after a refresh): keep the body. Reading a stream stops at an abort, as
		// fetch stops sending it.
		const body = incoming.body ? await abortable(incoming.arrayBuffer(), signal) : undefined;
		// A Request's own settings count where they differ from fetch's defaults (a default cannot be told from a choice).
		const given = <K extends "credentials" | "redirect" | "cache">(key: K, fallback: RequestInit[K]) =>
			init?.[key] ?? (input instanceof Request && input[key] !== fallback ? input[key] : undefined);
		const credentialsMode = given("credentials", "same-origin");
		const redirect = given("redirect", "follow");
		const cache = given("cache", "default");
		const options: RequestOptions = {
			method: incoming.method,
			headers: incoming.headers,
			retry: 0,
			...(body === undefined ? {} : { body }),
			...(signal ? { signal } : {}),
			...(credentialsMode ? { credentials: credentialsMode } : {}),
			...(redirect ? { redirect } : {}),
			...(cache ? { cache } : {}),
			...(incoming.keepalive ? { keepalive: true } : {}),
			...(incoming.integrity ? { integrity: incoming.integrity } : {}),
			...(incoming.referrerPolicy ? { referrerPolicy: incoming.referrerPolicy } : {}),
			...(init?.mode ? { mode: init.mode } : input instanceof Request && input.mode !== "cors" ? { mode: input.mode } : {}),
			...(init?.referrer !== undefined ? { referrer: init.referrer } : {}),
		};
		try {
			return await run(new URL(incoming.url), options, { expectsJson: acceptsJson(options), raw: true });
		} catch (error) {
			// fetch rejects a failed network request with a TypeError; tokenflight's NetworkError stays as its cause.
			if (error instanceof NetworkError) throw new TypeError(error.message, { cause: error });
			throw error;
		}
	}

	/** Asks the app's `sessionEnded` whether a response, or a failure without one, means the session ended. */
	async function classify(answer: Response | undefined, failure: unknown, url: URL, init: RequestOptions, expectsJson: boolean, record: SendRecord) {
		if (!options.sessionEnded || (!answer && !(failure instanceof NetworkError))) return false;
		// Once an episode has begun there is nothing left to find out: the failure waits for it (see the loop).
		if (!answer && machine.status === "reauthenticating") return false;
		let reason: Awaited<ReturnType<SessionEnded>>;
		try {
			reason = await options.sessionEnded(answer, {
				request: describe(url, init),
				baseUrl,
				expectsJson,
				redirects: record.redirects ?? [],
				...(failure instanceof ApiError ? { data: failure.data } : {}),
				...(answer ? {} : { probe: () => probe(url, init) }),
			});
		} catch (error) {
			// A classifier that fails has not found an ended session; the app still hears of its bug.
			rethrowLater(error);
			reason = false;
		}
		throwIfDisposed();
		return reason;
	}

	/** One step-up at a time: concurrent challenges share the handler's call. */
	async function stepUp(context: StepUpContext, signal: AbortSignal | undefined): Promise<void> {
		const generation = machine.generation;
		stepUpFlight ??= (async () => {
			try {
				const result = await options.stepUp!(context);
				// A logout during the step-up wins: its tokens are not stored.
				if (isTokenSet(result) && !(await credentials.store(result, generation))) return false;
				return result;
			} finally {
				stepUpFlight = null;
			}
		})();
		let result: Awaited<ReturnType<StepUp>>;
		try {
			result = await abortable(stepUpFlight, signal ? AbortSignal.any([signal, disposeController.signal]) : disposeController.signal);
		} catch (error) {
			throwIfDisposed();
			if (signal?.aborted) throw error;
			throw new StepUpRequiredError(context, { request: context.request, challenge: context.challenge, cause: error });
		}
		// Nothing back: the handler navigated away, and the request waits for the page to go.
		if (!result) {
			await abortable(new Promise<never>(() => {}), signal ? AbortSignal.any([signal, disposeController.signal]) : disposeController.signal).catch((error: unknown) => {
				throwIfDisposed();
				throw error;
			});
		}
	}

	// A bodiless GET of the same URL that does not follow redirects: shows a redirect a browser hid behind a CORS error.
	function probe(url: URL, init: RequestOptions): Promise<Response> {
		const probeFetch = init.fetch ?? baseFetch;
		return probeFetch(new Request(url, { method: "GET", redirect: "manual", credentials: credentials.mode(init.credentials), ...(init.signal ? { signal: init.signal } : {}) }));
	}

	/**
	 * Whether a response may reach the caller. One sent under an older generation (before a sign-in, sign-out or
	 * re-authentication) never pins anyone, and is withheld when it names a user other than the pinned one.
	 */
	function accept(response: Response, stale: boolean): boolean {
		const seen = options.identity?.(response) || undefined;
		const pinned = machine.identity;
		// Without a user named, there is no evidence of anyone else: the caller gets what it asked for.
		if (stale) return seen === undefined || seen === pinned;
		if (seen === undefined || seen === pinned) return true;
		tabs?.publish({ type: "identity", identity: seen });
		if (pinned === undefined) {
			machine.dispatch({ type: "identityPinned", identity: seen });
			return true;
		}
		endSession("identity-changed", `identity:${seen}`);
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

	function unauthorized(response: Response | undefined, url: URL, init: RequestOptions, challenge?: SafeChallenge): AuthenticationError {
		return new AuthenticationError({ response, request: describe(url, init), challenge });
	}

	// A 401 from outside the session (an untrusted origin, `auth: false`) says nothing about the session.
	async function foreignUnauthorized(response: Response, url: URL, init: RequestOptions): Promise<HttpError> {
		// Read like any other error's body, so the app can tell "needs a password" from "expired".
		const data = await readErrorData(response);
		return new HttpError(401, { response, request: describe(url, init), data });
	}

	async function json<T>(path: string | URL, init: RequestOptions): Promise<T> {
		const response = await run(path, init, { expectsJson: true, raw: false });
		return readJson<T>(response, () => describe(resolveUrl(path, baseUrl), init)).catch((error: unknown) => {
			throw redact(error);
		});
	}

	markClientFetch(clientFetch, createdOver);

	return {
		request: (path, init = {}) => run(path, init, { expectsJson: acceptsJson(init), raw: false }),
		fetch: clientFetch,
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
			let stored: boolean;
			try {
				stored = await credentials.store(tokens, generation);
			} catch (error) {
				if (machine.generation === generation) {
					machine.dispatch({ type: "signInFailed" });
					steppedAside?.();
				}
				steppedAside = undefined;
				throw error;
			}
			steppedAside = undefined;
			// A logout or a newer sign-in during the write (or in the moment after it) wins.
			if (!stored || machine.generation !== generation) return;
			machine.dispatch({ type: "signedIn", identity });
			tabs?.publish({ type: "signed-in", identity });
		},
		async logout() {
			machine.dispatch({ type: "signedOut", reason: undefined, error: new AuthenticationError() });
			tabs?.publish({ type: "logout" });
			// Queued behind any write under way, so once this resolves the store is empty.
			await credentials.clear();
		},
		reportSessionEnded(reason) {
			if (machine.status === "signedOut" || machine.status === "reauthenticating") return;
			endSession(reason, lastCredential);
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

function defaultReauthenticate(): void | Promise<undefined> {
	const location = (globalThis as { location?: { reload?: () => void } }).location;
	if (typeof location?.reload === "function") return location.reload();
	// Nothing to reload: the session ends.
	return Promise.reject(new Error("no page to reload"));
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

function dedupeKey(url: URL, init: RequestOptions, mode: { expectsJson: boolean; raw: boolean }, generation: number): string | undefined {
	const { body, json } = init;
	let payload: string;
	if (json !== undefined) payload = JSON.stringify(json);
	else if (body === undefined || body === null) payload = "";
	else if (typeof body === "string" || body instanceof URLSearchParams) payload = String(body);
	else return undefined; // FormData, Blob, streams: not compared.
	const headers = new Headers(init.headers as HeadersInit | undefined);
	const search = init.searchParams === undefined ? "" : String(new URLSearchParams(init.searchParams as ConstructorParameters<typeof URLSearchParams>[0]));
	return JSON.stringify([init.method ?? "GET", url.href, search, payload, mode.raw, [...headers], init.auth ?? true, init.credentials, init.redirect, generation]);
}

async function readErrorData(response: Response): Promise<unknown> {
	try {
		const text = await response.text();
		if (text.trim() === "") return undefined;
		try {
			return JSON.parse(text) as unknown;
		} catch {
			// Capped once redacted (core/redaction.ts): a cut through a secret would leave its first characters.
			return text;
		}
	} catch {
		return undefined;
	}
}

/**
 * How long a live tab may hold the refresh lock: every attempt timing out, each followed by the wait for its late answer
 * (another refreshTimeoutMs, or the backoff if longer: a refresh token is not presented again while a call with it may
 * still answer), and a margin. A waiting tab steals the lock only after this, so it never presents a refresh token
 * another tab is still using.
 */
function longestRefresh(auth: ClientOptions["auth"]): number {
	if (auth.type !== "bearer") return 15_000;
	const timeout = auth.refreshTimeoutMs ?? 10_000;
	const limit = auth.refreshRetry?.limit ?? 2;
	// The last attempt and the wait for its late answer.
	let longest = 2 * timeout;
	for (let attempt = 0; attempt < limit; attempt++) {
		const backoff = Math.min(auth.refreshRetry?.maxDelayMs ?? 5_000, (auth.refreshRetry?.delayMs ?? 300) * 2 ** attempt);
		longest += timeout + Math.max(timeout, backoff);
	}
	return longest + 5_000;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
	return signal?.aborted === true || (error as { name?: unknown } | null)?.name === "AbortError";
}

function acceptsJson(init: RequestOptions): boolean {
	const accept = new Headers(init.headers as HeadersInit | undefined).get("accept");
	return accept !== null && /json/i.test(accept);
}

function isStream(body: unknown): boolean {
	return typeof ReadableStream !== "undefined" && body instanceof ReadableStream;
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
