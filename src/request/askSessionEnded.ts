import { rethrowLater } from "../core/rethrowLater.js";
import type { RequestOptions } from "../core/requestOptions.js";
import { ApiError, NetworkError } from "../errors.js";
import type { SessionEnded } from "../session/sessionEnded.js";
import { describe, throwIfDisposed, type ClientCore } from "./context.js";

/** Asks the app's `sessionEnded` whether a response, or a failure without one, means the session ended. */
export async function askSessionEnded(core: ClientCore, answer: Response | undefined, failure: unknown, url: URL, init: RequestOptions, expectsJson: boolean) {
	const { sessionEnded } = core.options;
	if (!sessionEnded || (!answer && !(failure instanceof NetworkError))) return false;
	// Once an episode has begun there is nothing left to find out: the failure waits for it (see the loop).
	if (!answer && core.session.state.status === "reauthenticating") return false;
	let reason: Awaited<ReturnType<SessionEnded>>;
	try {
		reason = await sessionEnded(answer, {
			request: describe(url, init),
			baseUrl: core.baseUrl,
			expectsJson,
			...(failure instanceof ApiError ? { data: failure.data } : {}),
			...(answer ? {} : { probe: () => probe(core, url, init) }),
		});
	} catch (error) {
		// A classifier that fails has not found an ended session; the app still hears of its bug.
		rethrowLater(error);
		reason = false;
	}
	throwIfDisposed(core);
	return reason;
}

// A bodiless GET of the same URL that does not follow redirects: shows a redirect a browser hid behind a CORS error.
function probe(core: ClientCore, url: URL, init: RequestOptions): Promise<Response> {
	const probeFetch = init.fetch ?? core.baseFetch;
	return probeFetch(new Request(url, { method: "GET", redirect: "manual", credentials: core.credentials.mode(init.credentials), ...(init.signal ? { signal: init.signal } : {}) }));
}
