import type { RequestOptions } from "../core/requestOptions.js";
import { NetworkError } from "../errors.js";
import { acceptsJson } from "./body.js";
import type { Mode } from "./context.js";

type Run = (path: string | URL, init: RequestOptions, mode: Mode) => Promise<Response>;

/** `fetch(input, init)` with every guarantee of the client; HTTP statuses resolve as fetch resolves them. */
export async function fetchThrough(run: Run, baseUrl: URL, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
	const base = (globalThis as { location?: { href?: string } }).location?.href ?? baseUrl.href;
	const incoming = new Request(typeof input === "string" ? new URL(input, base) : input, init);
	// The loop may send it more than once (after a refresh): keep the body.
	const body = incoming.body ? await incoming.arrayBuffer() : undefined;
	const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
	// A Request's own settings count where they differ from fetch's defaults (a default cannot be told from a choice).
	const given = <K extends "credentials" | "redirect" | "cache">(key: K, fallback: RequestInit[K]) =>
		init?.[key] ?? (input instanceof Request && input[key] !== fallback ? input[key] : undefined);
	const credentialsMode = given("credentials", "same-origin");
	const redirect = given("redirect", "follow");
	const cache = given("cache", "default");
	const options: RequestOptions = {
		method: incoming.method,
		headers: incoming.headers,
		retry: 0,
		...(body === undefined ? {} : { body }),
		...(signal ? { signal } : {}),
		...(credentialsMode ? { credentials: credentialsMode } : {}),
		...(redirect ? { redirect } : {}),
		...(cache ? { cache } : {}),
		...(incoming.keepalive ? { keepalive: true } : {}),
		...(incoming.integrity ? { integrity: incoming.integrity } : {}),
		...(incoming.referrerPolicy ? { referrerPolicy: incoming.referrerPolicy } : {}),
		...(init?.mode ? { mode: init.mode } : input instanceof Request && input.mode !== "cors" ? { mode: input.mode } : {}),
		...(init?.referrer !== undefined ? { referrer: init.referrer } : {}),
	};
	try {
		return await run(new URL(incoming.url), options, { expectsJson: acceptsJson(options), raw: true });
	} catch (error) {
		// fetch rejects a failed network request with a TypeError; tokenflight's NetworkError stays as its cause.
		if (error instanceof NetworkError) throw new TypeError(error.message, { cause: error });
		throw error;
	}
}
