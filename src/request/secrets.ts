import { ApiError, HttpError, httpMessage } from "../errors.js";
import type { TokenSet } from "../tokens/types.js";

export type Secrets = {
	/** Keeps the latest secrets a request carried (tokens, CSRF values). */
	remember(tokens: TokenSet | undefined, headers: readonly [string, string][]): void;
	/** Blanks them in an error's message, parsed body and challenge, before its message is capped. */
	redact<T>(error: T): T;
};

/** The latest secrets requests carried: never quoted by an error, whatever the server echoes. */
export function createSecrets(): Secrets {
	const secrets = new Set<string>();
	return {
		remember(tokens, headers) {
			for (const value of [tokens?.accessToken, tokens?.refreshToken, ...headers.map(([, header]) => header)]) {
				if (typeof value !== "string" || value.length < 4) continue;
				secrets.delete(value);
				secrets.add(value);
			}
			for (const old of secrets) {
				if (secrets.size <= 16) break;
				secrets.delete(old);
			}
		},
		redact(error) {
			if (!(error instanceof ApiError) || secrets.size === 0) return error;
			const blank = (text: string) => [...secrets].reduce((result, secret) => result.split(secret).join("[redacted]"), text);
			const scrub = (value: unknown, depth: number): unknown => {
				if (typeof value === "string") return blank(value);
				if (depth > 16 || typeof value !== "object" || value === null) return typeof value === "object" && value !== null ? undefined : value;
				if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
				return Object.fromEntries(Object.entries(value).map(([key, item]) => [blank(key), scrub(item, depth + 1)]));
			};
			const data = error.data === undefined ? undefined : scrub(error.data, 0);
			if (data !== undefined) Object.defineProperty(error, "data", { value: data, enumerable: true });
			error.message = error instanceof HttpError && data !== undefined ? blank(httpMessage(error.status, error.request, data)) : blank(error.message);
			if (error instanceof HttpError && error.challenge) {
				Object.defineProperty(error, "challenge", { value: scrub(error.challenge, 0), enumerable: true });
			}
			return error;
		},
	};
}
