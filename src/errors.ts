import type { SafeChallenge } from "./auth/challenge.js";

/**
 * One error family for everything a tokenflight request can reject with.
 *
 * Every error has a stable `code`, the sanitized `request` (URL and method, never credentials),
 * the parsed `data` where a body was read, and `cause`. `request` and `response` are
 * non-enumerable so that logging an error never prints headers or tokens.
 */
export type ApiErrorCode =
	| "HTTP_ERROR"
	| "BAD_REQUEST"
	| "UNAUTHENTICATED"
	| "PAYMENT_REQUIRED"
	| "FORBIDDEN"
	| "NOT_FOUND"
	| "UNPROCESSABLE"
	| "RATE_LIMITED"
	| "CLIENT_CLOSED_REQUEST"
	| "SERVER_ERROR"
	| "NETWORK_ERROR"
	| "TIMEOUT"
	| "INVALID_RESPONSE"
	| "REFRESH_FAILED"
	| "NOT_REPLAYED"
	| "INVALID_CREDENTIAL"
	| "TOKEN_STORE"
	| "REDIRECT_BLOCKED"
	| "STEP_UP_REQUIRED"
	| "INSUFFICIENT_SCOPE"
	| "USE_DPOP_NONCE";

export type ApiErrorOptions = {
	request?: Request | undefined;
	response?: Response | undefined;
	data?: unknown;
	cause?: unknown;
	/** The response's parsed `WWW-Authenticate` challenge, without anything secret. */
	challenge?: SafeChallenge | undefined;
};

export class ApiError extends Error {
	override name = "ApiError";
	readonly code: ApiErrorCode;
	declare readonly request: Request | undefined;
	declare readonly response: Response | undefined;
	readonly data: unknown;

	constructor(message: string, code: ApiErrorCode, options: ApiErrorOptions = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.code = code;
		this.data = options.data;
		// Non-enumerable, read-only, non-configurable (defineProperties' defaults).
		Object.defineProperties(this, { request: { value: sanitizeRequest(options.request) }, response: { value: options.response } });
	}
}

const statusCodes: Record<number, ApiErrorCode> = {
	400: "BAD_REQUEST",
	401: "UNAUTHENTICATED",
	402: "PAYMENT_REQUIRED",
	403: "FORBIDDEN",
	404: "NOT_FOUND",
	422: "UNPROCESSABLE",
	429: "RATE_LIMITED",
	499: "CLIENT_CLOSED_REQUEST",
};

/** A response with a non-2xx status. `status` is the HTTP status. */
export class HttpError extends ApiError {
	override name = "HttpError";
	readonly status: number;
	/** The parsed `WWW-Authenticate` challenge of a 401 or 403, with only its non-secret parameters. */
	readonly challenge: SafeChallenge | undefined;

	constructor(status: number, options: ApiErrorOptions = {}, code?: ApiErrorCode) {
		super(
			httpMessage(status, options.request, options.data),
			code ?? statusCodes[status] ?? (status >= 500 ? "SERVER_ERROR" : "HTTP_ERROR"),
			options,
		);
		this.status = status;
		this.challenge = options.challenge;
	}
}

/**
 * RFC 9470: the server wants a stronger or more recent authentication for this request. The session is fine;
 * nothing was refreshed. Pass `stepUp` to `createClient` to have such requests wait for it and retry.
 */
export class StepUpRequiredError extends HttpError {
	override name = "StepUpRequiredError";
	/** Authentication context classes the server accepts, most preferred first. */
	readonly acrValues: readonly string[] | undefined;
	/** Seconds since the user last authenticated that the server accepts. */
	readonly maxAge: number | undefined;
	constructor(details: { acrValues?: readonly string[] | undefined; maxAge?: number | undefined }, options: ApiErrorOptions = {}) {
		super(options.response?.status ?? 401, options, "STEP_UP_REQUIRED");
		this.acrValues = details.acrValues;
		this.maxAge = details.maxAge;
	}
}

/** RFC 6750 §3.1: the token is valid but lacks a scope the resource needs. The session is untouched. */
export class InsufficientScopeError extends HttpError {
	override name = "InsufficientScopeError";
	/** The scopes the server named, if it did. */
	readonly scope: readonly string[] | undefined;
	constructor(scope: readonly string[] | undefined, options: ApiErrorOptions = {}) {
		super(options.response?.status ?? 403, options, "INSUFFICIENT_SCOPE");
		this.scope = scope;
	}
}

/** RFC 9449 §8: the resource server wants a DPoP proof with its nonce. Never a dead session. */
export class UseDPoPNonceError extends HttpError {
	override name = "UseDPoPNonceError";
	constructor(options: ApiErrorOptions = {}) {
		super(options.response?.status ?? 401, options, "USE_DPOP_NONCE");
	}
}

/** 401: the session could not be recovered (signed out, or the loop guard stopped re-authentication). */
export class AuthenticationError extends HttpError {
	override name = "AuthenticationError";
	constructor(options: ApiErrorOptions = {}) {
		super(401, options);
	}
}

export class ForbiddenError extends HttpError {
	override name = "ForbiddenError";
	constructor(options: ApiErrorOptions = {}) {
		super(403, options);
	}
}

export class NotFoundError extends HttpError {
	override name = "NotFoundError";
	constructor(options: ApiErrorOptions = {}) {
		super(404, options);
	}
}

export class RateLimitError extends HttpError {
	override name = "RateLimitError";
	/** From the `Retry-After` header (seconds or an HTTP date); undefined when absent or unreadable. */
	readonly retryAfterMs: number | undefined;
	constructor(options: ApiErrorOptions = {}, now = Date.now()) {
		super(429, options);
		this.retryAfterMs = parseRetryAfter(options.response?.headers.get("retry-after") ?? null, now);
	}
}

export class ServerError extends HttpError {
	override name = "ServerError";
	constructor(status: number, options: ApiErrorOptions = {}) {
		super(status, options, "SERVER_ERROR");
	}
}

/** No response arrived: offline, DNS, connection reset, CORS, or a refresh endpoint answering 5xx. */
export class NetworkError extends ApiError {
	override name = "NetworkError";
	constructor(message = "Network request failed", options: ApiErrorOptions = {}) {
		super(message, "NETWORK_ERROR", options);
	}
}

export class TimeoutError extends ApiError {
	override name = "TimeoutError";
	constructor(message = "Request timed out", options: ApiErrorOptions = {}) {
		super(message, "TIMEOUT", options);
	}
}

/** A body that was expected to be JSON was not (an HTML error page, a truncated body). */
export class ResponseParseError extends ApiError {
	override name = "ResponseParseError";
	constructor(options: ApiErrorOptions = {}) {
		super("Response body is not valid JSON", "INVALID_RESPONSE", options);
	}
}

/** The refresh function returned something that is not a token set, or failed in a way that is neither a network failure nor a rejection. */
export class RefreshError extends ApiError {
	override name = "RefreshError";
	constructor(message: string, options: ApiErrorOptions = {}) {
		super(message, "REFRESH_FAILED", options);
	}
}

/**
 * A non-idempotent request reached the server, but its response belonged to another identity or to a session that
 * has since ended, so it was withheld. It is never sent again: the server may have acted on it. Rejects once the
 * session has settled (signed in again, or signed out).
 */
// Long messages explain a mistake to a developer; an app's production build (process.env.NODE_ENV defined as
// "production", as for React and MobX) keeps the short one and drops the text. The typeof check keeps a runtime
// without `process` (a page loading dist/ directly) on the long message instead of throwing.
export class NotReplayedError extends ApiError {
	override name = "NotReplayedError";
	constructor(options: ApiErrorOptions = {}) {
		super((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? `The response to${requestLabel(options.request)} belonged to another session and was withheld; the request was not sent again` : `Not replayed${requestLabel(options.request)}`), "NOT_REPLAYED", options);
	}
}

/** A stored access token or CSRF value that cannot be sent as a header value (CR, LF, NUL, non-Latin-1). The value is never quoted. */
export class InvalidCredentialError extends ApiError {
	override name = "InvalidCredentialError";
	constructor(what: "access token" | "CSRF value", options: ApiErrorOptions = {}) {
		super((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? `The ${what} contains characters that cannot be sent in a header` : `Invalid ${what}`), "INVALID_CREDENTIAL", options);
	}
}

/** The token store threw while reading tokens. */
export class TokenStoreError extends ApiError {
	override name = "TokenStoreError";
	constructor(options: ApiErrorOptions = {}) {
		super("The token store failed to read tokens", "TOKEN_STORE", options);
	}
}

/**
 * A trusted origin redirected a request that carries a CSRF value, and the runtime hides the redirect's target
 * (a browser's `redirect: "manual"`). Following it blind could hand the value to another origin, so it is not followed.
 */
export class RedirectError extends ApiError {
	override name = "RedirectError";
	constructor(options: ApiErrorOptions = {}) {
		super((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? `The server redirected${requestLabel(options.request)}; a request carrying a CSRF value is only redirected within trusted origins` : `Redirect blocked${requestLabel(options.request)}`), "REDIRECT_BLOCKED", options);
	}
}

const errorNames = new Set([
	"StepUpRequiredError",
	"InsufficientScopeError",
	"UseDPoPNonceError",
	"NotReplayedError",
	"InvalidCredentialError",
	"TokenStoreError",
	"RedirectError",
	"ApiError",
	"HttpError",
	"AuthenticationError",
	"ForbiddenError",
	"NotFoundError",
	"RateLimitError",
	"ServerError",
	"NetworkError",
	"TimeoutError",
	"ResponseParseError",
	"RefreshError",
]);

/**
 * True for any error of the tokenflight family. Matches by `name` and `code` as well as
 * `instanceof`, so it works across realms and duplicate copies of the package.
 */
export function isApiError(error: unknown): error is ApiError {
	if (error instanceof ApiError) return true;
	return (
		typeof error === "object" &&
		error !== null &&
		errorNames.has((error as { name?: unknown }).name as string) &&
		typeof (error as { code?: unknown }).code === "string"
	);
}

/** Build the right error class for a non-2xx response. */
export function httpErrorFor(status: number, options: ApiErrorOptions): HttpError {
	const known = ({ 401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError, 429: RateLimitError } as Record<number, new (options: ApiErrorOptions) => HttpError>)[status];
	return known ? new known(options) : status >= 500 ? new ServerError(status, options) : new HttpError(status, options);
}

export function parseRetryAfter(value: string | null, now: number): number | undefined {
	if (value === null || value.trim() === "") return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Errors keep the URL and method so they can be reported, but never the headers: those carry the credentials.
function sanitizeRequest(request: Request | undefined): Request | undefined {
	if (!request) return undefined;
	return new Request(request.url, { method: request.method });
}

/**
 * The server's own words from a JSON error body (`message`, `error_description`, or a string `error`), capped, with
 * anything shaped like a JWT blanked: a message ends up in logs and toasts.
 */
export function serverMessage(data: unknown): string | undefined {
	if (typeof data !== "object" || data === null) return undefined;
	const { message, error_description: description, error } = data as Record<string, unknown>;
	const text = [message, description, error].find((value): value is string => typeof value === "string" && value.trim() !== "");
	if (text === undefined) return undefined;
	return text
		.replace(/[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g, "[redacted]")
		.replace(/[\r\n]+/g, " ")
		.slice(0, 300);
}

/** An `HttpError`'s message: the server's own words where it gave some, the status, the method and the path. */
export function httpMessage(status: number, request: Request | undefined, data: unknown): string {
	const url = requestLabel(request);
	const said = serverMessage(data);
	return said === undefined ? `Request failed with status ${status}${url}` : `${said} (status ${status}${url})`;
}

/** " METHOD url-without-query" for messages, or nothing without a request. */
function requestLabel(request: Request | undefined): string {
	return request ? ` ${request.method} ${stripQuery(request.url)}` : "";
}

/** Query strings can carry credentials: messages keep the path only. */
export function stripQuery(url: string): string {
	const index = url.search(/[?#]/);
	return index === -1 ? url : url.slice(0, index);
}
