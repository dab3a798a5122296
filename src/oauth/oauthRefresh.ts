import { RefreshError, httpErrorFor } from "../errors.js";
import type { RefreshFunction } from "../refresh/refresher.js";
import type { TokenSet } from "../tokens/types.js";

export type OAuthRefreshOptions = {
	/** The authorization server's token endpoint. */
	tokenEndpoint: string | URL;
	clientId: string;
	/** For confidential clients, sent with HTTP Basic (RFC 6749 §2.3.1). Public SPA clients have none. */
	clientSecret?: string;
	/** Extra form parameters, e.g. `scope`. */
	params?: Record<string, string>;
	/** @default globalThis.fetch */
	fetch?: typeof globalThis.fetch;
	/** Clock for `expires_in`. @default Date.now */
	now?: () => number;
};

/**
 * A `refresh` function for the OAuth 2.0 refresh-token grant (RFC 6749 §6).
 * `invalid_grant` (400/401) rejects as unrecoverable; network failures and 5xx reject as retryable;
 * a response that is not a bearer token response rejects with `RefreshError`.
 */
export function oauthRefresh(options: OAuthRefreshOptions): RefreshFunction {
	const now = options.now ?? Date.now;
	return async ({ refreshToken, signal }) => {
		if (refreshToken === undefined) return null;
		const fetchFn = options.fetch ?? globalThis.fetch;
		const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, ...options.params });
		const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" });
		if (options.clientSecret === undefined) body.set("client_id", options.clientId);
		else headers.set("authorization", `Basic ${btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`)}`);
		const request = new Request(options.tokenEndpoint, { method: "POST", headers, body, signal, credentials: "omit" });
		const response = await fetchFn(request);
		const requestedAt = now();
		const text = await response.text();
		const data = parseJson(text);
		if (!response.ok) {
			// Keep only the standard error fields: a token endpoint's body must never end up in a log verbatim.
			const error = typeof data === "object" && data !== null ? pick(data as Record<string, unknown>, ["error", "error_description"]) : undefined;
			throw httpErrorFor(response.status, { request, response, data: error });
		}
		return parseTokenResponse(data, requestedAt);
	};
}

export function parseTokenResponse(data: unknown, requestedAt: number): TokenSet {
	if (typeof data !== "object" || data === null) throw new RefreshError("Token response is not a JSON object");
	const { access_token, token_type, expires_in, refresh_token } = data as Record<string, unknown>;
	if (typeof access_token !== "string" || access_token === "") throw new RefreshError("Token response has no access_token");
	if (typeof token_type !== "string" || token_type.toLowerCase() !== "bearer") {
		throw new RefreshError(`Token response has token_type ${JSON.stringify(token_type)}, expected "Bearer"`);
	}
	if (expires_in !== undefined && (typeof expires_in !== "number" || !Number.isFinite(expires_in) || expires_in < 0)) {
		throw new RefreshError("Token response has an invalid expires_in");
	}
	if (refresh_token !== undefined && typeof refresh_token !== "string") throw new RefreshError("Token response has an invalid refresh_token");
	return {
		accessToken: access_token,
		refreshToken: refresh_token,
		expiresAt: typeof expires_in === "number" ? requestedAt + expires_in * 1000 : undefined,
	};
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
	return Object.fromEntries(keys.filter((key) => typeof source[key] === "string").map((key) => [key, source[key]]));
}

// RFC 6749 §2.3.1: client credentials are form-encoded before Basic encoding.
function formEncode(value: string): string {
	return encodeURIComponent(value).replace(/%20/g, "+");
}
