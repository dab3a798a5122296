import type { RequestOptions } from "./requestOptions.js";

/**
 * What makes two requests the same request: every option that can change the answer a caller gets (method, URL,
 * query, body and its type, headers, timeout, retry, hooks, fetch, credentials, redirect, …), the mode, and the
 * session generation. Undefined when the request cannot be compared (a FormData, Blob or stream body, a json body
 * that does not serialize): it is then never shared.
 */
export function dedupeKey(url: URL, init: RequestOptions, mode: object, generation: number): string | undefined {
	const { signal: _signal, dedupe: _dedupe, body, json, headers, searchParams, method, ...rest } = init;
	const payload = bodyKey(body, json);
	if (payload === undefined) return undefined;
	const query = searchParams === undefined ? "" : String(new URLSearchParams(searchParams as ConstructorParameters<typeof URLSearchParams>[0]));
	// Header names are case-insensitive; Headers lower-cases and sorts them.
	const headerList = [...new Headers(headers as HeadersInit | undefined)];
	const options = Object.keys(rest)
		.sort()
		.map((name) => [name, normalize(rest[name as keyof typeof rest])]);
	return JSON.stringify([(method ?? "GET").toUpperCase(), url.href, query, payload, headerList, options, normalize(mode), generation]);
}

/** The body with its type: the same text as a string and as URLSearchParams goes with a different Content-Type. */
function bodyKey(body: RequestOptions["body"], json: unknown): unknown[] | undefined {
	if (json !== undefined) {
		try {
			return ["json", JSON.stringify(json)];
		} catch {
			return undefined;
		}
	}
	if (body === undefined || body === null) return ["none"];
	if (typeof body === "string") return ["text", body];
	if (body instanceof URLSearchParams) return ["form", String(body)];
	return undefined;
}

// Functions (hooks, fetch, parseJson) and other objects count by identity: the same hook is the same request.
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function normalize(value: unknown, depth = 0): unknown {
	if (value === undefined) return null;
	if (typeof value === "bigint") return `${value}n`;
	if (value === null || (typeof value !== "object" && typeof value !== "function")) return value;
	if (Array.isArray(value) && depth < 8) return value.map((item) => normalize(item, depth + 1));
	const prototype = typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
	if ((prototype === Object.prototype || prototype === null) && depth < 8) {
		const record = value as Record<string, unknown>;
		return Object.fromEntries(
			Object.keys(record)
				.sort()
				.map((key) => [key, normalize(record[key], depth + 1)]),
		);
	}
	let identity = identities.get(value as object);
	if (identity === undefined) identities.set(value as object, (identity = ++nextIdentity));
	return { identity };
}
