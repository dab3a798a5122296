import type { Options as KyOptions } from "ky";
import type { BearerAuth } from "./auth/bearer.js";
import type { SafeChallenge } from "./auth/challenge.js";
import type { CookieAuth } from "./auth/cookie.js";
import type { RequestOptions } from "./core/requestOptions.js";
import type { ApiError } from "./errors.js";
import type { EventStream } from "./events/events.js";
import type { AbsoluteLimit, IdleOptions, LifetimeStore } from "./lifetime/options.js";
import type { ReloadGuardOptions } from "./session/reloadGuard.js";
import type { Reauthenticate, SessionEndedPolicy } from "./session/session.js";
import type { SessionEnded } from "./session/sessionEnded.js";
import type { SessionReason, SessionStore } from "./session/sessionState.js";
import type { TabsOptions } from "./tabs/tabSync.js";
import type { TokenSet } from "./tokens/types.js";

export type { BearerAuth } from "./auth/bearer.js";
export type { CookieAuth } from "./auth/cookie.js";
export type { Reauthenticate, SessionEndedPolicy } from "./session/session.js";

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
	/**
	 * Origins off the API that it legitimately redirects to: object storage (S3, a presigned URL), a CDN. A redirect
	 * that ends there is the answer, never a sign of a dead session, whatever `sessionEnded` says. They receive no
	 * credentials (that is `trustedOrigins`). For a single download, `auth: "neutral"` does the same per request.
	 * @default []
	 */
	redirectOrigins?: readonly string[];
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
	/**
	 * Share one response among identical requests in flight: the same in every option that can change the answer
	 * (method, URL, query, body and its type, headers, timeout, retry, hooks…); never with a `signal`, nor a FormData,
	 * Blob or stream body. @default false
	 */
	dedupe?: boolean;
	/**
	 * Turns a tokenflight error into the app's own (Outline's `NotFoundError`, `OfflineError`, …). It sees every
	 * `ApiError` a request rejects with: an `HttpError` (`status`, the parsed body in `data`, the server's message) and
	 * the errors without a status (`NetworkError`, `TimeoutError`, `ResponseParseError`, `NotReplayedError`); tell them
	 * apart by `instanceof` or `code`. Never an abort. Return nothing to keep tokenflight's. Not applied to
	 * `client.fetch`, which answers as fetch does.
	 */
	errorFor?: (error: ApiError) => Error | undefined | void;
	/**
	 * Signs the session out, in every tab, after `timeoutMs` without activity in any of them (reason `"idle"`), with a
	 * warning in `client.lifetime` `warnBeforeMs` before. Without it there is no idle timeout (and no lifetime code loads).
	 */
	idle?: IdleOptions;
	/**
	 * The session's hard end (reason `"expired"`): the earliest of the token response's `refresh_expires_in`, an ID
	 * token's `auth_time` + `maxAuthAgeMs`, and `deadline(tokens)`. Without it (and without `idle`) nothing is timed.
	 */
	absolute?: AbsoluteLimit;
};

/** The session as the app reads it: a subscribe/getSnapshot store, and the generation reports are tied to. */
export type ClientSession = SessionStore & {
	/**
	 * Goes up with every sign-in, sign-out and completed re-authentication. Read it when sending work whose failure
	 * may be reported later (over a socket, in a batch reply), and pass it to `reportSessionEnded`.
	 */
	readonly generation: number;
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
	readonly session: ClientSession;
	/** Stores new tokens (bearer) after a sign-in and marks the session authenticated. */
	signIn(tokens?: TokenSet, identity?: string): Promise<void>;
	/** Clears the store and signs out; later requests go without credentials. */
	logout(): Promise<void>;
	/**
	 * A dead session the app found itself (a 401 inside a batch reply, a tool error over a socket): takes the same
	 * once-only path as a 401. Pass the `generation` read from `client.session` when the work was sent: a report about
	 * a session that has since been replaced is dropped, as stale answers are. Without it, it is about the current one.
	 */
	reportSessionEnded(reason: SessionReason, about?: { generation?: number | undefined }): void;
	/**
	 * The session's deadlines and its warning, shared by the tabs: `{ idleDeadline, absoluteDeadline, warning }` (epoch
	 * ms). Deadlines stay undefined without `idle` / `absolute`.
	 */
	readonly lifetime: LifetimeStore;
	/** Dismisses the lifetime warning in every tab and refreshes once (in this tab only); resolves when done. */
	staySignedIn(): Promise<void>;
	/** What the session did (refreshes, stalls, locks, the loop guard, challenges, the lifetime), redacted: see `TokenflightEvent`. */
	readonly events: EventStream;
	/** Removes listeners, timers and channels; waiting and later requests reject with an AbortError. */
	dispose(): void;
};
