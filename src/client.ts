import ky, { type KyInstance, type Options as KyOptions } from "ky";
import Cookies from "js-cookie";
import { abortable, createGate, type Gate } from "./core/deferred.js";
import { toKyOptions, type RequestOptions } from "./core/requestOptions.js";
import { mapTransportError, readJson } from "./core/responses.js";
import { resolveBaseUrl, resolveUrl, toOrigin } from "./core/origins.js";
import { AuthenticationError, HttpError } from "./errors.js";
import { createRefresher, type RefreshFunction, type RefreshRetryOptions } from "./refresh/refresher.js";
import { fingerprint } from "./session/fingerprint.js";
import { createReloadGuard, persistentTabId, type ReloadGuardOptions } from "./session/reloadGuard.js";
import { createSessionState, type SessionReason, type SessionStore } from "./session/sessionState.js";
import { createTabSync, type TabMessage, type TabsOptions } from "./tabs/tabSync.js";
import { jwtExpiresAt } from "./tokens/jwt.js";
import { isTokenSet } from "./tokens/tokenStores.js";
import type { TokenSet, TokenStore } from "./tokens/types.js";

export type BearerAuth = {
	type: "bearer";
	store: TokenStore;
	/** Exchanges the refresh token. Without it, the first 401 re-authenticates. */
	refresh?: RefreshFunction;
	/** Backoff for refreshes that fail by network error, timeout or 5xx. */
	refreshRetry?: RefreshRetryOptions;
	/** Bound on a single refresh call. @default 10_000 */
	refreshTimeoutMs?: number;
	/** @default "Bearer" */
	scheme?: string;
};

export type CookieAuth = {
	type: "cookie";
	/** Double-submit CSRF: the cookie's value is sent in `header` on unsafe methods to trusted origins. */
	csrf?: { cookie: string; header: string; read?: (name: string) => string | undefined };
};

export type Reauthenticate = (reason: SessionReason) => void | Promise<TokenSet | void | undefined>;

export type ClientOptions = {
	/** Paths resolve against it; its origin is trusted with credentials. */
	baseUrl: string | URL;
	auth: BearerAuth | CookieAuth;
	/**
	 * Called once per episode when the session cannot be recovered. Return nothing when it navigates
	 * (every request then stalls until the page goes); return a promise when it signs in again in place
	 * (a popup, a silent iframe): on resolve, stalled requests are replayed with the new credentials.
	 * @default () => location.reload()
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
	/** Removes listeners, timers and channels; stalled requests reject with an AbortError. */
	dispose(): void;
};

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function createClient(options: ClientOptions): Client {
	const baseUrl = resolveBaseUrl(options.baseUrl);
	const trusted = new Set([baseUrl.origin, ...(options.trustedOrigins ?? []).map(toOrigin)]);
	const { auth } = options;
	const bearer = auth.type === "bearer" ? auth : undefined;
	const leeway = options.refreshLeewayMs ?? 30_000;
	const reauthenticate: Reauthenticate = options.reauthenticate ?? (() => globalThis.location?.reload());
	const state = createSessionState();
	const api: KyInstance = ky.create(options.ky ?? {});
	const disposeController = new AbortController();

	let gate: Gate | null = null;
	// Bumped by every sign-out and every completed in-place sign-in, so late results of an older session are dropped.
	let sessionEpoch = 0;
	let completedEpisodes = 0;
	let statusBeforeRefresh = state.store.getSnapshot().status;

	const tabs = createTabSync(options.tabs, onTabMessage);
	// Fingerprints (never the tokens) of refresh tokens other tabs have rotated away.
	const rotatedElsewhere = new Set<string>();
	// With tabs coordinated, the loop guard's budget is shared through localStorage (see ReloadGuard.tryAttempt).
	const guard = createReloadGuard({
		...(tabs ? { storage: sharedStorage(), tabId: persistentTabId() } : {}),
		...options.reloadGuard,
	});
	let guardPending = guard.attempts() > 0;
	tabs?.onVisible(() => void refreshIfExpiring());

	const refresher = bearer?.refresh
		? createRefresher({
				store: bearer.store,
				refresh: bearer.refresh,
				retry: bearer.refreshRetry,
				timeoutMs: bearer.refreshTimeoutMs,
				lock: tabs?.lock,
				settleMs: tabs?.lock ? 50 : 0,
				rotatedElsewhere: (refreshToken) => rotatedElsewhere.has(fingerprint(refreshToken)),
				isUsable: (tokens) => !isExpiring(tokens),
				epoch: () => sessionEpoch,
				onStored(_tokens, rotated) {
					tabs?.publish({ type: "tokens", rotated: rotated === undefined ? undefined : fingerprint(rotated) });
				},
				onStart() {
					const { status } = state.store.getSnapshot();
					if (status === "reauthenticating" || status === "signedOut") return;
					statusBeforeRefresh = status;
					state.update({ status: "refreshing" });
				},
				// Runs before any waiting request resumes, so they all see the outcome's state.
				onSettled(outcome) {
					if (outcome.type === "ok" && outcome.refreshed) lastIssued = { accessToken: outcome.tokens.accessToken, at: Date.now() };
					if (outcome.type === "rejected") {
						enterReauthentication("refresh-failed", outcome.staleAccessToken);
						return;
					}
					if (state.store.getSnapshot().status !== "refreshing") return;
					if (outcome.type === "ok") state.update({ status: "authenticated", reason: undefined });
					else state.update({ status: statusBeforeRefresh === "refreshing" ? "unknown" : statusBeforeRefresh });
				},
			})
		: undefined;

	function expiresAt(tokens: TokenSet): number | undefined {
		return tokens.expiresAt ?? jwtExpiresAt(tokens.accessToken);
	}

	// When a refresh has just handed out a short-lived token, the leeway is capped at half its lifetime:
	// a 30 s leeway on a 2 s token would make every request refresh.
	let lastIssued: { accessToken: string; at: number } | undefined;

	function isExpiring(tokens: TokenSet): boolean {
		const expiry = expiresAt(tokens);
		if (expiry === undefined) return false;
		const lifetime = lastIssued?.accessToken === tokens.accessToken ? expiry - lastIssued.at : Infinity;
		return expiry - Date.now() <= Math.min(leeway, lifetime / 2);
	}

	function hasExpired(tokens: TokenSet | undefined): boolean {
		const expiry = tokens && expiresAt(tokens);
		return expiry !== undefined && expiry <= Date.now();
	}

	function isTrusted(url: URL): boolean {
		return trusted.has(url.origin);
	}

	function status() {
		return state.store.getSnapshot().status;
	}

	function enterReauthentication(reason: SessionReason, credential?: string): void {
		const current = status();
		if (current === "reauthenticating" || current === "signedOut" || disposeController.signal.aborted) return;
		if (!guard.tryAttempt(credential === undefined ? undefined : fingerprint(credential))) {
			signOut(reason);
			return;
		}
		guardPending = true;
		const episode = createGate();
		gate = episode;
		state.update({ status: "reauthenticating", reason });
		let result: ReturnType<Reauthenticate>;
		try {
			result = reauthenticate(reason);
		} catch (error) {
			result = Promise.reject(error);
		}
		if (!isPromiseLike(result)) return; // Navigating away: stalled requests never need an answer.
		result.then(
			async (tokens) => {
				if (gate !== episode) return;
				if (bearer && isTokenSet(tokens)) await bearer.store.set(tokens);
				// A logout (here or in another tab) during that write wins over the late sign-in.
				if (gate !== episode) {
					if (bearer && isTokenSet(tokens)) await bearer.store.clear();
					return;
				}
				gate = null;
				completedEpisodes++;
				state.update({ status: "authenticated", reason: undefined, identity: undefined });
				episode.open();
			},
			() => {
				if (gate === episode) signOut(reason);
			},
		);
	}

	function signOut(reason: SessionReason | undefined): void {
		sessionEpoch++;
		state.update({ status: "signedOut", reason, identity: undefined });
		const episode = gate;
		gate = null;
		episode?.fail(new AuthenticationError());
		// The credentials are known dead: dropping them means later requests go out clean.
		if (reason !== undefined) void bearer?.store.clear();
	}

	function markAuthenticated(): void {
		const current = status();
		// Only signIn() leaves signedOut: a late response must not resurrect a session the user ended.
		if (current === "unknown") state.update({ status: "authenticated", reason: undefined });
		if (guardPending) {
			guard.reset();
			guardPending = false;
		}
	}

	// Returns false when the response belongs to someone else and must not reach the app.
	function checkIdentity(response: Response): boolean {
		if (!options.identity) return true;
		const seen = options.identity(response);
		if (seen === null || seen === undefined || seen === "") return true;
		const known = state.store.getSnapshot().identity;
		if (known === undefined) {
			state.update({ identity: seen });
			tabs?.publish({ type: "identity", identity: seen });
			return true;
		}
		if (known === seen) return true;
		tabs?.publish({ type: "identity", identity: seen });
		enterReauthentication("identity-changed", `identity:${seen}`);
		return false;
	}

	function onTabMessage(message: TabMessage): void {
		const snapshot = state.store.getSnapshot();
		switch (message.type) {
			case "logout":
				if (snapshot.status !== "signedOut") {
					state.update({ status: "signedOut", reason: "signed-out-elsewhere" });
					const episode = gate;
					gate = null;
					episode?.fail(new AuthenticationError());
				}
				break;
			case "identity":
				if (snapshot.identity !== undefined && snapshot.identity !== message.identity) {
					enterReauthentication("identity-changed", `identity:${message.identity}`);
				}
				break;
			case "signed-in":
				// Another tab signed in: a signed-out tab picks the new session up from the shared store; a tab
				// still showing someone's data must reload, since it cannot know whose session this is.
				if (snapshot.status === "signedOut") state.update({ status: "unknown", reason: undefined, identity: undefined });
				else if (snapshot.status !== "reauthenticating" && (message.identity === undefined || message.identity !== snapshot.identity)) {
					enterReauthentication("signed-out-elsewhere", `signed-in:${message.identity ?? ""}`);
				}
				break;
			case "tokens":
				if (message.rotated !== undefined) rotatedElsewhere.add(message.rotated);
				break;
		}
	}

	// Waits while the session re-authenticates; the only way out of a stall is the gate or the caller's signal.
	async function whenSendable(signal: AbortSignal | undefined): Promise<void> {
		while (gate) await gate.wait(signal);
		if (disposeController.signal.aborted) throw disposedError();
	}

	async function readTokens(signal: AbortSignal | undefined): Promise<TokenSet | undefined> {
		if (!bearer) return undefined;
		const tokens = (await bearer.store.get()) ?? undefined;
		if (!tokens || !refresher || !isExpiring(tokens) || status() === "signedOut") return tokens;
		const outcome = await abortable(refresher.refresh(tokens.accessToken), signal);
		if (outcome.type === "ok") return outcome.tokens;
		if (outcome.type === "rejected") {
			enterReauthentication("refresh-failed", tokens.accessToken);
			return tokens;
		}
		// A blip while the token still works: use it. Once it has expired, the caller hears of the network.
		const expiry = expiresAt(tokens);
		if (expiry !== undefined && expiry > Date.now()) return tokens;
		throw outcome.error;
	}

	async function send(url: URL, init: RequestOptions, tokens: TokenSet | undefined, withCredentials: boolean): Promise<Response> {
		const kyOptions = toKyOptions(init);
		const headers = new Headers(init.headers as HeadersInit | undefined);
		const method = (init.method ?? "GET").toUpperCase();
		if (withCredentials && bearer && tokens) headers.set("authorization", `${bearer.scheme ?? "Bearer"} ${tokens.accessToken}`);
		if (withCredentials && auth.type === "cookie" && auth.csrf && unsafeMethods.has(method)) {
			const value = (auth.csrf.read ?? Cookies.get)(auth.csrf.cookie);
			if (value) headers.set(auth.csrf.header, value);
		}
		// Bearer calls carry no cookies unless asked: a session cookie without CSRF can get that session killed (seed 000).
		const credentials: RequestCredentials =
			withCredentials && auth.type === "cookie" ? "include" : withCredentials ? (init.credentials ?? "omit") : "omit";
		try {
			return await api(url, { ...kyOptions, method, headers, credentials, throwHttpErrors: (code) => code !== 401 });
		} catch (error) {
			throw mapTransportError(error);
		}
	}

	async function request(path: string | URL, init: RequestOptions = {}): Promise<Response> {
		const url = resolveUrl(path, baseUrl);
		const signal = init.signal ?? undefined;
		if (init.auth === false || !isTrusted(url)) {
			const response = await send(url, init, undefined, false);
			if (response.status === 401) throw foreignUnauthorized(response, url, init);
			return response;
		}
		let retriedWithNewToken = false;
		let refreshes = 0;
		for (;;) {
			await whenSendable(signal);
			const tokens = await readTokens(signal);
			if (gate) continue;
			const episodeAtSend = completedEpisodes;
			const response = await send(url, init, tokens, true);
			if (response.status !== 401) {
				if (!checkIdentity(response)) {
					await response.body?.cancel();
					if (status() === "signedOut") throw await unauthorized(response, url, init);
					continue;
				}
				if (response.ok && (tokens || auth.type === "cookie")) markAuthenticated();
				return response;
			}
			await response.body?.cancel();
			const current = status();
			if (current === "signedOut") throw await unauthorized(response, url, init);
			if (current === "reauthenticating") continue;
			// Sent before an in-place re-authentication finished: retry with the new credentials, don't start another.
			if (completedEpisodes !== episodeAtSend) continue;
			if (bearer) {
				const latest = (await bearer.store.get()) ?? undefined;
				if (latest && latest.accessToken !== tokens?.accessToken && !retriedWithNewToken) {
					// Sent with a token that has since been replaced: retry with the current one, no refresh.
					retriedWithNewToken = true;
					continue;
				}
			}
			// A 401 for a token just refreshed means the session is dead, unless that token merely expired on
			// the way (short lifetimes, slow networks): then one more refresh is worth it.
			if (!bearer || !refresher || (retriedWithNewToken && !(hasExpired(tokens) && refreshes < 2))) {
				enterReauthentication("unauthorized", credentialOf(tokens));
				continue;
			}
			refreshes++;
			const outcome = await abortable(refresher.refresh(tokens?.accessToken), signal);
			if (outcome.type === "ok") {
				retriedWithNewToken = true;
				continue;
			}
			if (outcome.type === "rejected") {
				enterReauthentication("refresh-failed", tokens?.accessToken);
				continue;
			}
			throw outcome.error;
		}
	}

	// What identifies the dead credential for the loop guard: the access token, or in cookie mode the CSRF cookie.
	function credentialOf(tokens: TokenSet | undefined): string | undefined {
		if (tokens) return tokens.accessToken;
		if (auth.type === "cookie" && auth.csrf) return (auth.csrf.read ?? Cookies.get)(auth.csrf.cookie);
		return undefined;
	}

	async function refreshIfExpiring(): Promise<void> {
		if (!bearer || !refresher || status() === "signedOut" || gate) return;
		const tokens = (await bearer.store.get()) ?? undefined;
		if (tokens && isExpiring(tokens)) await refresher.refresh(tokens.accessToken);
	}

	async function unauthorized(response: Response, url: URL, init: RequestOptions): Promise<AuthenticationError> {
		return new AuthenticationError({ response, request: new Request(url, { method: init.method ?? "GET" }) });
	}

	// A 401 from outside the session (an untrusted origin, `auth: false`) says nothing about the session.
	function foreignUnauthorized(response: Response, url: URL, init: RequestOptions): HttpError {
		return new HttpError(401, { response, request: new Request(url, { method: init.method ?? "GET" }) });
	}

	async function json<T>(path: string | URL, init: RequestOptions): Promise<T> {
		const response = await request(path, init);
		return readJson<T>(response, () => new Request(resolveUrl(path, baseUrl), { method: init.method ?? "GET" }));
	}

	const client: Client = {
		request,
		get: (path, init = {}) => json(path, { ...init, method: "GET" }),
		delete: (path, init = {}) => json(path, { ...init, method: "DELETE" }),
		post: (path, body, init = {}) => json(path, withJson(init, "POST", body)),
		put: (path, body, init = {}) => json(path, withJson(init, "PUT", body)),
		patch: (path, body, init = {}) => json(path, withJson(init, "PATCH", body)),
		session: state.store,
		async signIn(tokens, identity) {
			if (bearer && tokens) await bearer.store.set(tokens);
			const episode = gate;
			gate = null;
			completedEpisodes++;
			state.update({ status: "authenticated", reason: undefined, identity });
			episode?.open();
			tabs?.publish({ type: "signed-in", identity });
		},
		async logout() {
			if (bearer) await bearer.store.clear();
			signOut(undefined);
			state.update({ identity: undefined });
			tabs?.publish({ type: "logout" });
		},
		dispose() {
			disposeController.abort();
			refresher?.dispose();
			tabs?.dispose();
			state.clearListeners();
			const episode = gate;
			gate = null;
			episode?.fail(disposedError());
		},
	};
	return client;
}

function disposedError(): DOMException {
	return new DOMException("The tokenflight client was disposed", "AbortError");
}

function withJson(init: RequestOptions, method: string, body: unknown): RequestOptions {
	return body === undefined ? { ...init, method } : { ...init, method, json: body };
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
