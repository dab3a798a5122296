import type { RequestOptions } from "../core/requestOptions.js";

export function withBody(init: RequestOptions, method: string, body: unknown): RequestOptions {
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

export function acceptsJson(init: RequestOptions): boolean {
	const accept = new Headers(init.headers as HeadersInit | undefined).get("accept");
	return accept !== null && /json/i.test(accept);
}
