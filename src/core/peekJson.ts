import { readCapped } from "./readCapped.js";

/**
 * The parsed body of a JSON answer, read from a copy so the caller still reads its own; undefined for any other
 * content type (a download, an event stream: reading those would wait for their end) or a body that does not parse.
 * The copy is read only until it holds a complete JSON value, and never past 64 KB: a JSON answer that streams and
 * never ends (a long poll, NDJSON served as application/json) still reaches its caller.
 */
export async function peekJson(response: Response): Promise<unknown> {
	if (response.bodyUsed || !/^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(response.headers.get("content-type") ?? "")) return undefined;
	const body = response.clone().body;
	if (!body) return undefined;
	let value: unknown;
	const parsed = (text: string) => {
		// Only an object, array or string is known to be whole before the body ends: `12` may yet become `123`.
		if (!/[}\]"]\s*$/.test(text)) return false;
		try {
			value = JSON.parse(text) as unknown;
			return true;
		} catch {
			return false;
		}
	};
	try {
		const { text, complete } = await readCapped(body, { done: parsed });
		if (value !== undefined || !complete || text.trim() === "") return value;
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
