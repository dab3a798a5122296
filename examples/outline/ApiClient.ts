// Outline's app/utils/ApiClient.ts rebuilt on tokenflight (its cookie-only entry). Left out because tokenflight does it: credentials and
// the CSRF header, one reload (SSO fork) or one sign-out (upstream) however many requests are in flight, the stall
// while the page goes, the reload-loop guard, de-duplication of identical requests in flight.
import Cookies from "js-cookie";
import { answeredFromOutside, createClient, HttpError, type ApiError, type Client, type CookieClientOptions } from "tokenflight/cookie";
import { BatchableApiMethods, BatchMaxRequests, CSRF, EDITOR_VERSION } from "./constants.js";
import { download } from "./download.js";
import * as E from "./errors.js";

type JSONObject = Record<string, unknown>;
type FetchOptions = { download?: boolean; headers?: Record<string, string> };
type Batched = { method: string; body?: JSONObject | undefined; resolve(value: unknown): void; reject(reason: unknown): void };
type SubResponse = { ok: boolean; status: number; data?: unknown; policies?: unknown; error?: string; message?: string };
/** `sso`: seed 001's fork, where a 401 reloads. Otherwise upstream: a 401 signs out (AuthStore.logout), never reloads. */
export type Options = Partial<CookieClientOptions> & { sso?: boolean; location?: Pick<Location, "reload">; readCookie?: (name: string) => string | undefined };

const batchable = new Set<string>(BatchableApiMethods);
// Dead sessions without a 401, named by the body's `error`: a suspended user (signs out), an outdated editor (reloads).
const endsSession = new Set(["user_suspended", "editor_update_required"]);
const codeOf = (body: unknown) => (body as { error?: string } | undefined)?.error ?? "";
const byStatus: Record<number, new (message?: string) => Error> = { 400: E.BadRequestError, 402: E.PaymentRequiredError, 403: E.AuthorizationError,
	404: E.NotFoundError, 422: E.UnprocessableEntityError, 499: E.ClientClosedRequestError, 502: E.BadGatewayError, 503: E.ServiceUnavailableError };

/** A fetch that threw: Outline tells offline from a failing network by `navigator.onLine`. */
const unreachable = () =>
	globalThis.navigator?.onLine === false ? new E.OfflineError("No internet connection available") : new E.NetworkError("A network error occurred, try again?");
const outlineError = (error: ApiError) => (error instanceof HttpError ? toError(error.status, error.data) : error.code === "NETWORK_ERROR" ? unreachable() : undefined);

/** ApiClient#toError: Outline's error for a status and an error body `{ error, message }`. */
export function toError(status: number, body: unknown): Error {
	const message = (body as { message?: string } | undefined)?.message;
	if (status === 401) return new E.AuthorizationError();
	if (status === 429) return new E.RateLimitExceededError("Too many requests, try again in a minute.");
	if (codeOf(body) === "editor_update_required") return new E.UpdateRequiredError(message);
	if (codeOf(body) === "csrf_error") return new E.AuthorizationError("CSRF token invalid, please try reloading.");
	const OutlineError = byStatus[status];
	return OutlineError ? new OutlineError(message) : new E.RequestError(`Error ${status}`);
}

export default class ApiClient {
	shareId?: string | undefined;
	readonly client: Client;
	private batchQueue?: Batched[] | undefined;
	/** What reloads the page: an outdated editor; under SSO also a dead session, unless suspended. The rest sign out. */
	private readonly reloads: (reason: string) => boolean;

	constructor({ sso = false, location = globalThis.location, readCookie = Cookies.get, ...options }: Options = {}) {
		this.reloads = (reason) => reason === "editor_update_required" || (sso && reason !== "user_suspended");
		this.client = createClient({
			baseUrl: "/api",
			// Sent on every POST; the server exempts read-scope methods (documents.list, …) itself.
			auth: { type: "cookie", csrf: { cookie: CSRF.cookieName, header: CSRF.headerName, read: (name) => readCookie(CSRF.secureCookieName) ?? readCookie(name) } },
			sessionEnded: (response, context) => (endsSession.has(codeOf(context.data)) ? codeOf(context.data) : sso && answeredFromOutside()(response, context)),
			// Reload: requests in flight wait for the page to go. Sign out: once, however many were in flight (→ AuthStore.logout).
			onSessionEnded: (reason) => (this.reloads(reason) ? "reauthenticate" : "signOut"),
			reauthenticate: () => location.reload(),
			errorFor: outlineError,
			...options,
			ky: { headers: { accept: "application/json", "cache-control": "no-cache", pragma: "no-cache", "x-api-version": "4", "x-editor-version": EDITOR_VERSION }, ...options.ky },
		});
	}

	setShareId = (shareId: string | undefined) => void (this.shareId = shareId);

	get = <T = any>(path: string, data?: JSONObject, options?: FetchOptions) => this.fetch<T>(path, "GET", data, options);

	post = <T = any>(path: string, data?: JSONObject | FormData, options?: FetchOptions): Promise<T> => {
		const method = path.replace(/^\//, "");
		if (!this.batchQueue || data instanceof FormData || !batchable.has(method)) return this.fetch<T>(path, "POST", data, options);
		return new Promise<T>((resolve, reject) => this.batchQueue!.push({ method, body: data, resolve: resolve as (value: unknown) => void, reject }));
	};

	/** Every batchable POST `fn` issues synchronously goes out in `/batch` calls once it returns. */
	batch = <T>(fn: () => T): T => {
		if (this.batchQueue) return fn();
		const queue: Batched[] = (this.batchQueue = []);
		try {
			return fn();
		} finally {
			this.batchQueue = undefined;
			void this.flushBatch(queue);
		}
	};

	fetch = async <T = any>(path: string, method: "GET" | "POST", data?: JSONObject | FormData, options: FetchOptions = {}): Promise<T> => {
		if (this.shareId) data instanceof FormData ? data.append("shareId", this.shareId) : (data = { ...data, shareId: this.shareId });
		// A share link is session-neutral: cookies go along, but its 401 is an ordinary error, never a sign-out.
		const init = { auth: this.shareId ? "neutral" : true, dedupe: method === "POST", ...(options.headers && { headers: options.headers }) } as const;
		if (method === "GET") return this.client.get<T>(path, { ...init, searchParams: (data ?? {}) as Record<string, string> });
		if (!options.download) return this.client.post<T>(path, data, init);
		const response = await this.client.request(path, { ...init, method, ...(data instanceof FormData ? { body: data } : { json: data }) });
		download(await response.blob(), (response.headers.get("content-disposition") ?? "").split("filename=")[1]?.replace(/"/g, "") ?? "");
		return undefined as T;
	};

	/** Serial `/batch` calls of at most BatchMaxRequests; each caller settles with its own sub-response. */
	private flushBatch = async (queue: Batched[]): Promise<void> => {
		const group = queue.splice(0, BatchMaxRequests);
		try {
			const res = await this.fetch<{ data?: SubResponse[] }>("/batch", "POST", { requests: group.map(({ method, body }) => ({ method, body })) });
			group.forEach((request, index) => {
				const result = res?.data?.[index] ?? { ok: false, status: 500 };
				if (result.ok) return request.resolve({ data: result.data, policies: result.policies });
				// A dead session inside the reply takes the same once-only path as a top-level one.
				const reason = result.status === 401 ? !this.shareId && "unauthorized" : endsSession.has(codeOf(result)) && codeOf(result);
				if (reason) this.client.reportSessionEnded(reason);
				if (!reason || !this.reloads(reason)) request.reject(toError(result.status, result));
			});
		} catch (error) {
			group.forEach((request) => request.reject(error));
		}
		if (queue.length > 0) return this.flushBatch(queue);
	};
}
