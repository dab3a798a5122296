import { discard } from "../core/discard.js";
import type { SessionReason } from "./sessionState.js";

export type SessionEndedContext = {
	/** The request as sent, without credentials. */
	request: Request;
	/** The client's `baseUrl`. */
	baseUrl: URL;
	/** Whether the caller asked for JSON (`get`, `post`, … or an `Accept` naming JSON). */
	expectsJson: boolean;
	/** The parsed body of a non-2xx response, when one was read. */
	data?: unknown;
	/**
	 * Only when the request failed without a response (a network error): asks the same URL again with a bodiless GET,
	 * no credentials added and `redirect: "manual"`, so a redirect the browser hid behind a CORS error shows.
	 */
	probe?: () => Promise<Response>;
};

/**
 * Tells whether a response (or, with `response` undefined, a network failure) means the session has ended, even
 * though it is not a 401. Return a reason to send it down the same once-only path as a 401 (stall, loop guard,
 * re-authentication or sign-out); its data never reaches the caller. Return `false` to let it through.
 */
export type SessionEnded = (
	response: Response | undefined,
	context: SessionEndedContext,
) => SessionReason | false | null | undefined | Promise<SessionReason | false | null | undefined>;

export type AnsweredFromOutsideOptions = {
	/** The path every API answer lives under. @default the client's `baseUrl` */
	apiUrl?: string | URL;
	/** Probe network failures of trusted requests for a hidden redirect (an auth proxy's login page). @default true */
	probeNetworkErrors?: boolean;
};

/**
 * A ready-made `sessionEnded` for "the API answered from outside itself": an SSO portal or an auth proxy
 * (oauth2-proxy, Traefik ForwardAuth) whose session expired answers API calls with a redirect to its login page or
 * home page. Matches a response redirected off the API, a redirect the runtime hid (an opaque redirect, or a foreign
 * login page that a browser reports only as a CORS network error), and HTML where JSON was asked for.
 */
export function answeredFromOutside(options: AnsweredFromOutsideOptions = {}): SessionEnded {
	const reason: SessionReason = "answered-from-outside";
	return async (response, context) => {
		const api = new URL(options.apiUrl ?? context.baseUrl, context.baseUrl).href;
		if (response === undefined) {
			if (options.probeNetworkErrors === false || !context.probe || isOffline()) return false;
			const probed = await context.probe().catch(() => undefined);
			if (probed === undefined) return false;
			discard(probed);
			return isRedirect(probed) ? reason : false;
		}
		if (response.type === "opaqueredirect" || isRedirect(response)) return reason;
		if (response.redirected && response.url && !response.url.startsWith(api)) return reason;
		if (context.expectsJson && /^\s*text\/html/i.test(response.headers.get("content-type") ?? "")) return reason;
		return false;
	};
}

function isRedirect(response: Response): boolean {
	return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400 && response.headers.has("location"));
}

function isOffline(): boolean {
	return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
}
