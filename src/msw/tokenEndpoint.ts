import type { CounterControls } from "./counters.js";
import { oauthError, tokenResponse } from "./responses.js";
import type { SessionStore } from "./sessions.js";

export type TokenEndpointContext = {
	/** Runs a read-and-update of the backend's state with nothing awaited in between (see `PersistedState`). */
	transact<T>(fn: () => T): T;
	/** Resolves once `token` is known to this instance, or after a short bound (see `createMockAuthServer`). */
	awaitCredential(token: string): Promise<void>;
	sessions: SessionStore;
	counters: CounterControls;
	accessTokenTtlMs: number;
	refreshTokenTtlMs: number;
};

const singleValued = ["grant_type", "refresh_token", "client_id"];

/** Read from a clone so the endpoint itself can still read the body. */
export async function isRefreshGrant(request: Request): Promise<boolean> {
	const text = await request.clone().text().catch(() => "");
	return new URLSearchParams(text).get("grant_type") === "refresh_token";
}

/** The refresh-token grant of RFC 6749 §6, with rotation and reuse detection per RFC 9700 §4.14.2. */
export async function tokenEndpoint(request: Request, context: TokenEndpointContext): Promise<Response> {
	const { sessions, counters } = context;
	const contentType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
	if (contentType !== "application/x-www-form-urlencoded") {
		return oauthError("invalid_request", "The body must be application/x-www-form-urlencoded");
	}
	const form = new URLSearchParams(await request.text());
	// RFC 6749 §3.2: a repeated parameter makes the request ambiguous.
	const repeated = singleValued.find((name) => form.getAll(name).length > 1);
	if (repeated) return oauthError("invalid_request", `The ${repeated} parameter is repeated`);

	const grantType = form.get("grant_type");
	if (!grantType) return oauthError("invalid_request", "The grant_type parameter is missing");
	if (grantType !== "refresh_token") return oauthError("unsupported_grant_type", "Only the refresh_token grant is supported");
	const refreshToken = form.get("refresh_token");
	if (!refreshToken) return oauthError("invalid_request", "The refresh_token parameter is missing");

	await context.awaitCredential(refreshToken);
	return context.transact(() => {
		const result = sessions.rotate(refreshToken);
		if (!result.ok) {
			if (result.reason === "reused") counters.increment("reuseDetections");
			return oauthError("invalid_grant", rejectionDescriptions[result.reason]);
		}
		counters.increment("refreshSuccesses");
		return tokenResponse({
			access_token: result.tokens.accessToken,
			token_type: "Bearer",
			expires_in: Math.ceil(context.accessTokenTtlMs / 1000),
			refresh_token: result.tokens.refreshToken,
			refresh_expires_in: Math.ceil(context.refreshTokenTtlMs / 1000),
		});
	});
}

const rejectionDescriptions = {
	unknown: "The refresh token is not recognised",
	revoked: "The session of this refresh token has ended",
	expired: "The refresh token expired",
	reused: "The refresh token was already used; every token of its session has been revoked",
} as const;
