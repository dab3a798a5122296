import type { DPoPBinding } from "../auth/bearer.js";
import { pageFetch } from "../core/pageFetch.js";
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
	/**
	 * Sender-constrained tokens (RFC 9449): the binding from `tokenflight/dpop`'s `createDPoP()`, the same one as in
	 * `auth.dpop`. Each refresh then carries a DPoP proof for the token endpoint, expects `token_type` DPoP, and answers
	 * a `use_dpop_nonce` rejection by sending the grant once more with the server's nonce (see below).
	 */
	dpop?: OAuthDPoP;
};

/**
 * What `oauthRefresh` needs of a DPoP binding: `proof` and `observe`, and the server's clock for the proofs' `iat`
 * when it has one (`createDPoP()`'s `now()`, skew-aware; otherwise Date.now).
 */
export type OAuthDPoP = DPoPBinding & { now?(): number };

/**
 * A `refresh` function for the OAuth 2.0 refresh-token grant (RFC 6749 §6).
 * `invalid_grant` (400/401) rejects as unrecoverable; network failures and 5xx reject as retryable;
 * a response that is not a bearer token response rejects with `RefreshError`.
 *
 * With `dpop`, the one case where the refresh token goes out twice: RFC 9449 §8 has an authorization server that
 * wants a nonce reject the request with `400 {"error":"use_dpop_nonce"}` and a `DPoP-Nonce` header, without
 * processing it, so the refresh token was neither used nor rotated. The same grant is then sent once more, with a
 * fresh proof carrying that nonce, inside the same call (the refresher sees one refresh). Only that answer leads to a
 * resend, and only once: a second `use_dpop_nonce` rejects like any 400, and any other answer, or no answer, is never
 * followed by a resend from here (a server that may have used the token must not see it again).
 */
export function oauthRefresh(options: OAuthRefreshOptions): RefreshFunction {
	const now = options.now ?? Date.now;
	const { dpop } = options;
	return async ({ refreshToken, signal }) => {
		if (refreshToken === undefined) return null;
		// The page's fetch, even where the global one is a client's (`globalThis.fetch = client.fetch`): a refresh sent
		// through the client would wait for itself.
		const fetchFn = options.fetch ?? pageFetch();
		const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, ...options.params });
		const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" });
		if (options.clientSecret === undefined) body.set("client_id", options.clientId);
		else headers.set("authorization", `Basic ${btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`)}`);

		async function send(): Promise<{ request: Request; response: Response; data: unknown }> {
			const request = new Request(options.tokenEndpoint, { method: "POST", headers, body, signal, credentials: "omit" });
			// No `ath`: the token endpoint gets no access token (RFC 9449 §4.2).
			if (dpop) request.headers.set("dpop", await dpop.proof({ method: "POST", url: request.url, now: dpop.now?.() ?? Date.now() }));
			const response = await fetchFn(request);
			dpop?.observe(request.url, response);
			return { request, response, data: parseJson(await response.text()) };
		}

		let { request, response, data } = await send();
		if (dpop && isNonceChallenge(response, data)) ({ request, response, data } = await send());
		const requestedAt = now();
		if (!response.ok) {
			// Keep only the standard error fields: a token endpoint's body must never end up in a log verbatim,
			// and a server that echoes the grant (the refresh token, the client secret) must not hand it to one either.
			const echoed = [refreshToken, options.clientSecret].filter((value): value is string => typeof value === "string" && value.length > 0);
			const error = typeof data === "object" && data !== null ? pick(data as Record<string, unknown>, ["error", "error_description"], echoed) : undefined;
			throw httpErrorFor(response.status, { request, response, data: error });
		}
		return parseTokenResponse(data, requestedAt, { tokenType: dpop ? "DPoP" : "Bearer" });
	};
}

/** RFC 9449 §8: the authorization server refused the request unprocessed and named the nonce to use. */
function isNonceChallenge(response: Response, data: unknown): boolean {
	return (
		(response.status === 400 || response.status === 401) &&
		response.headers.has("dpop-nonce") &&
		typeof data === "object" &&
		data !== null &&
		(data as { error?: unknown }).error === "use_dpop_nonce"
	);
}

/**
 * Maps a token response (RFC 6749 §5.1) to a token set. `tokenType`: what `token_type` must say (case-insensitively);
 * "DPoP" for a DPoP-bound token (RFC 9449 §5). @default "Bearer"
 */
export function parseTokenResponse(data: unknown, requestedAt: number, options: { tokenType?: "Bearer" | "DPoP" } = {}): TokenSet {
	const expected = options.tokenType ?? "Bearer";
	if (typeof data !== "object" || data === null) throw new RefreshError("Token response is not a JSON object");
	const { access_token, token_type, expires_in, refresh_token, refresh_expires_in, id_token } = data as Record<string, unknown>;
	if (typeof access_token !== "string" || access_token === "") throw new RefreshError("Token response has no access_token");
	if (typeof token_type !== "string" || token_type.toLowerCase() !== expected.toLowerCase()) {
		throw new RefreshError(`Token response has token_type ${JSON.stringify(token_type)}, expected ${JSON.stringify(expected)}`);
	}
	if (expires_in !== undefined && (typeof expires_in !== "number" || !Number.isFinite(expires_in) || expires_in < 0)) {
		throw new RefreshError("Token response has an invalid expires_in");
	}
	if (refresh_token !== undefined && typeof refresh_token !== "string") throw new RefreshError("Token response has an invalid refresh_token");
	const tokens: TokenSet = {
		accessToken: access_token,
		refreshToken: refresh_token,
		expiresAt: typeof expires_in === "number" ? requestedAt + expires_in * 1000 : undefined,
	};
	// Keycloak's refresh_expires_in (0 means "no limit" there) and OIDC's id_token: sources of an absolute session limit.
	if (typeof refresh_expires_in === "number" && Number.isFinite(refresh_expires_in) && refresh_expires_in > 0) tokens.refreshExpiresAt = requestedAt + refresh_expires_in * 1000;
	if (typeof id_token === "string" && id_token !== "") tokens.idToken = id_token;
	return tokens;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function pick(source: Record<string, unknown>, keys: string[], secrets: string[]): Record<string, unknown> {
	const blank = (text: string) => secrets.reduce((result, secret) => result.split(secret).join("[redacted]"), text);
	return Object.fromEntries(keys.flatMap((key) => (typeof source[key] === "string" ? [[key, blank(source[key])]] : [])));
}

// RFC 6749 §2.3.1: client credentials are form-encoded before Basic encoding.
function formEncode(value: string): string {
	return encodeURIComponent(value).replace(/%20/g, "+");
}
