import { ApiError, HttpError, httpMessage } from "../errors.js";
import type { TokenSet } from "../tokens/types.js";

const mark = "[redacted]";
// Where a body read as text is cut, after redaction: enough to tell an HTML page or a proxy's message.
const textCap = 1_000;
// How many secrets are kept (the latest), and how deep a cause chain or a body is walked. Each request's DPoP proof is
// one more: room for the tokens and the proofs of many requests in flight.
const maxSecrets = 64;
const maxDepth = 16;

export type Secrets = {
	/** Keeps the latest secrets a request carried (tokens, CSRF values): blanked wherever a server echoes them. */
	remember(tokens: TokenSet | undefined, headers: readonly [string, string][]): void;
	/**
	 * Blanks them in everything reachable from `error` (message, stack, `data`, `challenge`, and the same down its
	 * `cause` chain), then caps text bodies. What `JSON.stringify`, `util.inspect` and `structuredClone` print is made
	 * of these. Linear in the text.
	 */
	redact<T>(error: T): T;
};

/** The latest secrets requests carried: never quoted by an error, whatever the server echoes. */
export function createSecrets(): Secrets {
	const secrets = new Set<string>();

	function blank(text: string): string {
		let result = text;
		for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(mark);
		return result;
	}

	function scrub(value: unknown, depth: number): unknown {
		if (typeof value === "string") return blank(value);
		if (typeof value !== "object" || value === null) return value;
		if (depth > maxDepth) return undefined;
		if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [blank(key), scrub(item, depth + 1)]));
	}

	function set(target: object, key: string, value: unknown): void {
		if ((target as Record<string, unknown>)[key] === value) return;
		try {
			const enumerable = Object.getOwnPropertyDescriptor(target, key)?.enumerable ?? false;
			Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
		} catch {
			// A frozen or exotic object (a DOMException's message): it was built by the runtime, not from a server's words.
		}
	}

	function one(node: object): void {
		if (node instanceof ApiError) {
			let data = node.data === undefined ? undefined : scrub(node.data, 0);
			// Redacted first, then capped: a cut through a secret would leave its first characters.
			if (typeof data === "string" && data.length > textCap) data = data.slice(0, textCap);
			if (data !== undefined) set(node, "data", data);
			if (node instanceof HttpError) {
				if (node.challenge) set(node, "challenge", scrub(node.challenge, 0));
				if (data !== undefined) set(node, "message", blank(httpMessage(node.status, node.request, data, node.challenge)));
			}
		}
		for (const key of ["message", "stack"]) {
			const text = (node as Record<string, unknown>)[key];
			if (typeof text === "string") set(node, key, blank(text));
		}
	}

	return {
		remember(tokens, headers) {
			for (const value of [tokens?.accessToken, tokens?.refreshToken, ...headers.map(([, header]) => header)]) {
				if (typeof value !== "string" || value.length < 4) continue;
				secrets.delete(value);
				secrets.add(value);
			}
			for (const old of secrets) {
				if (secrets.size <= maxSecrets) break;
				secrets.delete(old);
			}
		},
		redact(error) {
			const seen = new Set<object>();
			for (let node: unknown = error, depth = 0; typeof node === "object" && node !== null && !seen.has(node) && depth < maxDepth; depth++) {
				seen.add(node);
				// Capping applies even with no secret known yet.
				one(node);
				node = (node as { cause?: unknown }).cause;
			}
			return error;
		},
	};
}
