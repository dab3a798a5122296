// The request path of Outline's own app/utils/ApiClient.ts (outline/outline, commit 01066282), rewritten here in our
// words (its code is not copied into this repository) with what decides how it meets tokenflight kept as it is:
// `baseUrl + path`; the Accept and CSRF headers it sets itself; `retry(fetch)` from fetch-retry with its defaults,
// which retry every rejection three times; any rejection becoming NetworkError (OfflineError when offline); every
// 401 awaiting the unauthorized handler (unless a share link) and throwing AuthorizationError; a 403 user_suspended
// calling it too. What a pull request to Outline would add is marked PR: a `fetch` option and a `retryOn` rule.
import retry, { type RequestInitRetryParams } from "fetch-retry";
import { AuthorizationError, NetworkError, NotFoundError, OfflineError, RequestError } from "../../examples/outline/errors.js";

export type UnauthorizedReason = "unauthorized" | "user_suspended";

export type UpstreamOptions = {
	baseUrl?: string;
	/** PR: the fetch to send with (tokenflight's `client.fetch`); upstream calls the global fetch. */
	fetch?: typeof fetch;
	/** PR: fetch-retry's rule; upstream passes none, so every rejection is retried. */
	retryOn?: RequestInitRetryParams<typeof fetch>["retryOn"];
	readCookie?: (name: string) => string | undefined;
};

export class UpstreamApiClient {
	baseUrl: string;
	shareId: string | undefined;
	private onUnauthorized: ((reason: UnauthorizedReason) => void | Promise<void>) | undefined;
	private readonly options: UpstreamOptions;

	constructor(options: UpstreamOptions = {}) {
		this.options = options;
		this.baseUrl = options.baseUrl || "/api";
	}

	setUnauthorizedHandler = (handler: (reason: UnauthorizedReason) => void | Promise<void>) => {
		this.onUnauthorized = handler;
	};

	post = <T = unknown>(path: string, data?: Record<string, unknown>): Promise<T> => this.fetch<T>(path, "POST", data);

	fetch = async <T = unknown>(path: string, method: "GET" | "POST", data?: Record<string, unknown>): Promise<T> => {
		const url = path.match(/^http/) ? path : this.baseUrl + path;
		const headers = new Headers({ Accept: "application/json", "x-api-version": "4", "Content-Type": "application/json" });
		const send: typeof fetch = (input, init) => {
			const csrf = this.options.readCookie?.("csrfToken");
			if (method === "POST" && csrf) headers.set("x-csrf-token", csrf);
			return (this.options.fetch ?? fetch)(input, init); // PR: `this.options.fetch ??`
		};
		let response: Response;
		try {
			const retrying = this.options.retryOn ? retry(send, { retryOn: this.options.retryOn }) : retry(send); // PR: the retryOn rule
			response = await retrying(url, { method, body: JSON.stringify(data ?? {}), headers, redirect: "follow", credentials: "same-origin", cache: "no-cache" });
		} catch {
			throw globalThis.navigator?.onLine === false ? new OfflineError("No internet connection available") : new NetworkError("A network error occurred, try again?");
		}
		if (response.status >= 200 && response.status < 300) return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
		if (response.status === 401) {
			if (!this.shareId) await this.onUnauthorized?.("unauthorized");
			throw new AuthorizationError();
		}
		const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
		if (response.status === 403) {
			if (body.error === "user_suspended") await this.onUnauthorized?.("user_suspended");
			throw new AuthorizationError(body.message);
		}
		if (response.status === 404) throw new NotFoundError(body.message);
		throw new RequestError(`Error ${response.status}`);
	};
}
