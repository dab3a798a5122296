import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type AccessToken, type Configuration, type KoaContextWithOIDC } from "oidc-provider";

export const clientId = "spa";
export const accountId = "alice";
/** Seconds. Short so the tests can watch real expiry; oidc-provider counts `exp` in whole seconds. */
export const accessTokenTtl = 2;

/** What the provider did, as its own events tell it. Token values are kept for comparison only, never printed. */
export type GrantLog = {
	/** `refresh_token` grants that succeeded, with the refresh token each one handed out. */
	refreshes: { issuedRefreshToken: string | undefined }[];
	/** Token endpoint failures, by OAuth error code (`invalid_grant`…). */
	errors: { grantType: unknown; error: string; description: string | undefined; detail?: string | undefined }[];
	/** Refresh tokens that rotation marked as used. */
	consumed: number;
	/** Grants revoked, by revocation or by the provider's reuse detection. */
	revoked: number;
	/** Failures at the userinfo endpoint (`/me`), by error code (`use_dpop_nonce`, `invalid_dpop_proof`, `invalid_token`…). */
	userinfoErrors: { error: string; description: string | undefined; detail: string | undefined }[];
};

export type OidcServerOptions = {
	/**
	 * Sender-constrained tokens (RFC 9449): DPoP with nonces required on every proof, a client whose access tokens must
	 * be DPoP-bound (its refresh tokens are then bound too, as for every public client), and no clock tolerance at
	 * `/me`, so an expired token is refused there the moment it expires.
	 */
	dpop?: boolean;
	/** Seconds, read at each issue: tests that are not about expiry can lengthen it. @default () => accessTokenTtl */
	accessTokenTtl?: () => number;
};

export type OidcTestServers = Awaited<ReturnType<typeof startOidcServers>>;

/**
 * Starts a real oidc-provider and a small protected API, each on its own ephemeral 127.0.0.1 port.
 * The issuer needs its own URL in its configuration, and the SPA client's redirect URI names the API's
 * origin (the SPA and its API share an origin), so both servers listen before the provider is built.
 */
export async function startOidcServers(options: OidcServerOptions = {}) {
	const idpServer = createServer();
	const apiServer = createServer();
	const issuer = `http://127.0.0.1:${await listen(idpServer)}`;
	const apiOrigin = `http://127.0.0.1:${await listen(apiServer)}`;
	const redirectUri = `${apiOrigin}/callback`;

	const provider = quietly(() => new Provider(issuer, configuration(redirectUri, options)));
	const log = emptyLog();
	provider.on("grant.success", (ctx: KoaContextWithOIDC) => {
		if (ctx.oidc.params?.["grant_type"] !== "refresh_token") return;
		const body = ctx.body as { refresh_token?: unknown } | undefined;
		log.refreshes.push({ issuedRefreshToken: typeof body?.refresh_token === "string" ? body.refresh_token : undefined });
	});
	provider.on("grant.error", (ctx, error) => {
		const detail = (error as { error_detail?: string }).error_detail;
		log.errors.push({ grantType: ctx.oidc.params?.["grant_type"], error: error.error, description: error.error_description, ...(detail === undefined ? {} : { detail }) });
	});
	provider.on("userinfo.error", (_ctx, error) => {
		// error_detail is the provider's own reason, which it keeps out of the response ("failed jkt verification"…).
		log.userinfoErrors.push({ error: error.error, description: error.error_description, detail: (error as { error_detail?: string }).error_detail });
	});
	provider.on("refresh_token.consumed", () => void log.consumed++);
	provider.on("grant.revoked", () => void log.revoked++);
	// A 500 inside the provider would otherwise reach the tests only as a vague refresh failure.
	provider.on("server_error", (_ctx, error) => console.error("oidc-provider server_error", error));

	const providerCallback = provider.callback();
	idpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
		if (req.url?.startsWith("/interaction/")) void interact(provider, req, res).catch((error: unknown) => fail(res, error));
		else void providerCallback(req, res);
	});

	const api = { requests: 0, unauthorized: 0 };
	apiServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
		void serveApi(provider, api, req, res).catch((error: unknown) => fail(res, error));
	});

	return {
		provider,
		issuer,
		apiBaseUrl: `${apiOrigin}/api/`,
		/** The provider's own protected resource: the userinfo endpoint, `/me`, which checks DPoP proofs itself. */
		userinfoBaseUrl: `${issuer}/`,
		redirectUri,
		log,
		api,
		resetCounters() {
			Object.assign(log, emptyLog());
			Object.assign(api, { requests: 0, unauthorized: 0 });
		},
		/** Whether the provider still honours this access token (it is not expired, revoked or unknown). */
		async isActive(accessToken: string): Promise<boolean> {
			return isLive(await provider.AccessToken.find(accessToken));
		},
		async close() {
			await Promise.all([close(idpServer), close(apiServer)]);
		},
	};
}

function configuration(redirectUri: string, options: OidcServerOptions): Configuration {
	return {
		...(options.dpop ? { clockTolerance: 0 } : {}),
		clients: [
			{
				...(options.dpop ? { dpop_bound_access_tokens: true } : {}),
				client_id: clientId,
				application_type: "web",
				// A public browser client: no secret, so PKCE is mandatory (pkce.required defaults to true for "none").
				token_endpoint_auth_method: "none",
				grant_types: ["authorization_code", "refresh_token"],
				response_types: ["code"],
				redirect_uris: [redirectUri],
			},
		],
		pkce: { required: () => true },
		// Rotation on every use (RFC 9700 §4.14.2): reusing a rotated refresh token is invalid_grant and revokes the grant.
		rotateRefreshToken: true,
		issueRefreshToken: async (_ctx, client, source) => client.grantTypeAllowed("refresh_token") && source.scopes.has("offline_access"),
		scopes: ["openid", "offline_access"],
		// Plain numbers rather than the defaults' functions: every default prints a "you SHOULD change" notice.
		ttl: { AccessToken: options.accessTokenTtl ?? accessTokenTtl, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
		findAccount: (_ctx, sub) => (sub === accountId ? { accountId: sub, claims: () => ({ sub }) } : undefined),
		features: {
			// Custom interaction routes (below) instead of the dev views: no HTML to scrape, no dev-only warning.
			devInteractions: { enabled: false },
			revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
			// RFC 9449 §8 and §9: every proof, at /token and at /me, must carry a nonce the provider handed out.
			...(options.dpop ? { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } } : {}),
		},
		// Our own keys: the provider's quick-start signing keys come with a warning.
		jwks: { keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" }] },
		cookies: { keys: [randomBytes(32).toString("base64url")] },
		renderError: (ctx, out) => {
			ctx.type = "json";
			ctx.body = out;
		},
	};
}

/**
 * The login and consent screens, answered at once for the test user: what a login page would do after the
 * user typed their password and clicked "Allow".
 */
async function interact(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const details = await provider.interactionDetails(req, res);
	if (details.prompt.name === "login") {
		await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
		return;
	}
	if (details.prompt.name !== "consent") throw new Error(`Unexpected prompt ${details.prompt.name}`);
	const grant = details.grantId
		? await provider.Grant.find(details.grantId)
		: new provider.Grant({ accountId: details.session?.accountId ?? accountId, clientId: String(details.params["client_id"]) });
	if (!grant) throw new Error("The interaction's grant is gone");
	const missingScope = details.prompt.details["missingOIDCScope"];
	if (Array.isArray(missingScope)) grant.addOIDCScope(missingScope.join(" "));
	const grantId = await grant.save();
	await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

/** `GET /api/me`: a resource server that asks the provider whether the bearer token is still good (RFC 6750). */
async function serveApi(provider: Provider, api: { requests: number; unauthorized: number }, req: IncomingMessage, res: ServerResponse) {
	api.requests++;
	const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
	const accessToken = token === undefined ? undefined : await provider.AccessToken.find(token);
	if (!isLive(accessToken)) {
		api.unauthorized++;
		res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' });
		res.end(JSON.stringify({ error: "invalid_token" }));
		return;
	}
	res.writeHead(200, { "content-type": "application/json" });
	res.end(JSON.stringify({ sub: accessToken.accountId }));
}

/**
 * find() answers undefined for unknown and revoked tokens, but it honours an expired one for `clockTolerance`
 * (15 s by default, meant for other parties' clocks): the provider's own `isExpired` has no such grace.
 */
function isLive(token: AccessToken | undefined): token is AccessToken {
	return token !== undefined && !token.isExpired;
}

function fail(res: ServerResponse, error: unknown): void {
	console.error("oidc test server failed", error);
	if (!res.headersSent) res.writeHead(500);
	res.end();
}

function emptyLog(): GrantLog {
	return { refreshes: [], errors: [], consumed: 0, revoked: 0, userinfoErrors: [] };
}

// The in-memory adapter cannot be configured away without writing a database adapter; its warning says so at construction.
function quietly<T>(build: () => T): T {
	const warn = console.warn;
	console.warn = (...args: unknown[]) => {
		if (typeof args[0] === "string" && args[0].includes("development-only in-memory adapter")) return;
		warn(...args);
	};
	try {
		return build();
	} finally {
		console.warn = warn;
	}
}

function listen(server: Server): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
	});
}

function close(server: Server): Promise<void> {
	// Idle keep-alive sockets from fetch's pool would otherwise hold close() open.
	server.closeAllConnections();
	return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
