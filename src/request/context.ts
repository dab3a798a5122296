import type { KyInstance } from "ky";
import type { SafeChallenge } from "../auth/challenge.js";
import type { Credentials } from "../auth/types.js";
import { disposedError } from "../core/disposedError.js";
import { readCapped } from "../core/readCapped.js";
import type { RequestOptions } from "../core/requestOptions.js";
import { ApiError, AuthenticationError, HttpError } from "../errors.js";
import type { EventHub } from "../events/events.js";
import type { ClientOptions } from "../options.js";
import type { Session } from "../session/session.js";
import type { TabSync } from "../tabs/tabSync.js";
import type { Secrets } from "./secrets.js";

/** What every request of one client shares. */
export type ClientCore = {
	readonly options: ClientOptions;
	readonly baseUrl: URL;
	isTrusted(url: URL): boolean;
	/** One of `redirectOrigins`: a redirect that ends there is the answer. */
	isRedirectOrigin(url: URL): boolean;
	readonly session: Session;
	readonly credentials: Credentials;
	readonly tabs: TabSync | undefined;
	readonly api: KyInstance;
	readonly baseFetch: typeof fetch;
	readonly disposed: AbortSignal;
	readonly secrets: Secrets;
	readonly events: EventHub;
	/** The credential the latest trusted request went with: what `reportSessionEnded` names as dead. */
	lastCredential: string | undefined;
	stepUpFlight: Promise<unknown> | null;
};

/** How the caller reads the answer: `raw` is `client.fetch`, which resolves every status as fetch does. */
export type Mode = { expectsJson: boolean; raw: boolean };

/** The app's own error for a tokenflight one (`errorFor`), or the error as it is. */
export function appError(core: ClientCore, error: unknown): unknown {
	return (error instanceof ApiError && core.options.errorFor?.(error)) || error;
}

export function throwIfDisposed(core: ClientCore): void {
	if (core.disposed.aborted) throw disposedError();
}

/** The request as errors show it: method and URL, never credentials. */
export function describe(url: URL, init: RequestOptions): Request {
	return new Request(url, { method: init.method ?? "GET" });
}

export function unauthorized(response: Response | undefined, url: URL, init: RequestOptions, challenge?: SafeChallenge): AuthenticationError {
	return new AuthenticationError({ response, request: describe(url, init), challenge });
}

// A 401 from outside the session (an untrusted origin, `auth: false`) says nothing about the session.
export async function foreignUnauthorized(response: Response, url: URL, init: RequestOptions): Promise<HttpError> {
	// Read like any other error's body, so the app can tell "needs a password" from "expired".
	const data = await readErrorData(response);
	return new HttpError(401, { response, request: describe(url, init), data });
}

/** An error body: parsed JSON, else its text (capped), else undefined. */
export async function readErrorData(response: Response): Promise<unknown> {
	try {
		// At most 64 KB: an error body that never ends must not hold the request.
		const { text } = response.body ? await readCapped(response.body) : { text: await response.text() };
		if (text.trim() === "") return undefined;
		try {
			return JSON.parse(text) as unknown;
		} catch {
			// Capped once redacted (request/secrets.ts): a cut through a secret would leave its first characters.
			return text;
		}
	} catch {
		return undefined;
	}
}
