import { isHTTPError, isNetworkError, isTimeoutError } from "ky";
import { ApiError, NetworkError, ResponseParseError, TimeoutError, httpErrorFor, stripQuery } from "../errors.js";

/** Parses a JSON body. A 204, 205 or empty body is `undefined`; anything unparsable is a `ResponseParseError`. */
// The request is only built when an error needs it: it costs more than the parse on the happy path.
export async function readJson<T>(response: Response, describe: () => Request): Promise<T> {
	if (response.status === 204 || response.status === 205) return undefined as T;
	let text: string;
	try {
		text = await response.text();
	} catch (error) {
		throw new NetworkError("The response body could not be read", { request: describe(), response, cause: error });
	}
	if (text.trim() === "") return undefined as T;
	try {
		return JSON.parse(text) as T;
	} catch (error) {
		// The whole text: the client redacts it, then caps it (a cut first would leave a secret's first characters).
		throw new ResponseParseError({ request: describe(), response, data: text, cause: error });
	}
}

/**
 * Turns ky's and fetch's failures into the tokenflight family. ky's own errors are not kept as `cause`:
 * they hold the outgoing request, and with it the Authorization header.
 */
export function mapTransportError(error: unknown): unknown {
	if (error instanceof ApiError) return error;
	if (isHTTPError(error)) {
		return httpErrorFor(error.response.status, { request: error.request, response: error.response, data: error.data });
	}
	if (isTimeoutError(error)) return new TimeoutError(`Request timed out: ${error.request.method} ${stripQuery(error.request.url)}`, { request: error.request });
	if (isNetworkError(error)) {
		return new NetworkError(`Network request failed: ${error.request.method} ${stripQuery(error.request.url)}`, { request: error.request, cause: error.cause });
	}
	if (error instanceof TypeError && !(error as { name?: string }).name?.includes("Abort")) {
		return new NetworkError("Network request failed", { cause: error });
	}
	return error;
}
