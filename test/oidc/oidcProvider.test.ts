import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
	classifyRefreshError,
	createClient,
	memoryTokenStore,
	oauthRefresh,
	type Client,
	type Reauthenticate,
	type TokenSet,
} from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";
import { discover, revoke, signInWithCode, type Discovery } from "../helpers/oidcAuthorize.js";
import { describeDPoP } from "./dpopSuite.js";
import { clientId, startOidcServers, type OidcTestServers } from "../fixtures/oidc/oidcServer.js";

/**
 * tokenflight against a real, OpenID-certified authorization server (oidc-provider 9) with refresh-token
 * rotation and 2-second access tokens, instead of a mock that only agrees with our own reading of the RFCs.
 */
const stormSize = 200;

let servers: OidcTestServers;
let discovery: Discovery;
const clients: Client[] = [];

beforeAll(async () => {
	servers = await startOidcServers();
	discovery = await discover(servers.issuer);
});
afterAll(async () => {
	await servers?.close();
});
beforeEach(() => servers.resetCounters());
// A stalled request rejects with an AbortError on dispose; every storm's promises are observed, so nothing goes unhandled.
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

async function signedInClient() {
	const tokens = await signInWithCode({ discovery, clientId, redirectUri: servers.redirectUri });
	const store = memoryTokenStore(tokens);
	const reauthenticate = vi.fn<Reauthenticate>(() => undefined);
	const client = createClient({
		baseUrl: servers.apiBaseUrl,
		auth: { type: "bearer", store, refresh: oauthRefresh({ tokenEndpoint: discovery.token_endpoint, clientId }) },
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		// The 30 s default exceeds the 2 s lifetime: every request would refresh ahead, and the storms would
		// never meet an expired token. With 0 the client keeps using a token until it has expired or been refused.
		refreshLeewayMs: 0,
		// Only tokenflight's own recovery is under test: a retry inside ky would hide a failed request.
		ky: { retry: 0 },
	});
	clients.push(client);
	return { client, store, reauthenticate, tokens };
}

async function currentTokens(store: ReturnType<typeof memoryTokenStore>): Promise<TokenSet> {
	const tokens = await store.get();
	if (!tokens) throw new Error("The store is empty");
	return tokens;
}

/**
 * Polls until the provider no longer honours the token. Its `exp` is whole seconds, so this returns just after
 * a second boundary, and the token the storm's refresh obtains keeps nearly its full 2 s (storms take 0.3–1.1 s).
 */
async function untilExpired(accessToken: string): Promise<void> {
	const deadline = Date.now() + 5_000;
	while (await servers.isActive(accessToken)) {
		if (Date.now() > deadline) throw new Error("The access token did not expire within 5 s");
		await sleep(10);
	}
}

/**
 * Fires the storm and waits until every request has settled or the client has stalled them in a
 * re-authentication. Never awaits the requests themselves: a broken client fails an assertion, not a timeout.
 */
async function storm(client: Client) {
	const startedAt = Date.now();
	const states = Array.from({ length: stormSize }, () => ({ status: "pending" as "pending" | "fulfilled" | "rejected", sub: undefined as unknown }));
	Array.from({ length: stormSize }, () => client.get<{ sub: string }>("me")).forEach((promise, i) =>
		promise.then(
			(body) => Object.assign(states[i]!, { status: "fulfilled", sub: body.sub }),
			() => void (states[i]!.status = "rejected"),
		),
	);
	const count = (status: string) => states.filter((state) => state.status === status).length;
	const stalled = () => ["reauthenticating", "signedOut"].includes(client.session.getSnapshot().status);
	const deadline = Date.now() + 10_000;
	while (count("pending") > 0 && !stalled() && Date.now() < deadline) await sleep(10);
	// Long enough, on loopback, for a request that was going to reject or refresh again to have done so.
	if (count("pending") > 0) await sleep(200);
	return {
		/**
		 * For failure messages: a storm that outlives its new token (about 2 s) meets a second, legitimate expiry,
		 * and the core answers a 401 on an already-retried request with re-authentication, not a second refresh.
		 */
		elapsedMs: Date.now() - startedAt,
		fulfilled: count("fulfilled"),
		rejected: count("rejected"),
		pending: count("pending"),
		asAlice: states.filter((state) => state.sub === "alice").length,
	};
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("against oidc-provider with refresh-token rotation", () => {
	it(`should answer a ${stormSize}-request storm on an expired token with exactly one refresh grant`, async () => {
		const { client, store, reauthenticate, tokens } = await signedInClient();
		await untilExpired(tokens.accessToken);

		const { elapsedMs, ...results } = await storm(client);

		expect({ ...results, refreshes: servers.log.refreshes.length, errors: servers.log.errors }, `storm took ${elapsedMs} ms`).toEqual({
			fulfilled: stormSize,
			rejected: 0,
			pending: 0,
			asAlice: stormSize,
			refreshes: 1,
			errors: [],
		});
		expect(servers.log.consumed).toBe(1);
		const refreshed = await currentTokens(store);
		expect(refreshed.refreshToken).toBe(servers.log.refreshes[0]?.issuedRefreshToken);
		expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
		expect(await servers.isActive(refreshed.accessToken)).toBe(true);
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("should survive three storms in a row with three rotations and no invalid_grant", async () => {
		const { client, store, reauthenticate, tokens } = await signedInClient();
		const refreshTokens = [tokens.refreshToken];

		for (let round = 1; round <= 3; round++) {
			await untilExpired((await currentTokens(store)).accessToken);
			const { elapsedMs, ...results } = await storm(client);
			expect({ round, ...results, refreshes: servers.log.refreshes.length, errors: servers.log.errors }, `storm took ${elapsedMs} ms`).toEqual({
				round,
				fulfilled: stormSize,
				rejected: 0,
				pending: 0,
				asAlice: stormSize,
				refreshes: round,
				errors: [],
			});
			refreshTokens.push((await currentTokens(store)).refreshToken);
		}

		expect(servers.log.errors).toEqual([]);
		expect(servers.log.consumed).toBe(3);
		expect(servers.log.revoked).toBe(0);
		// Each grant handed out a new refresh token, and the client always kept the latest one.
		expect(new Set(refreshTokens).size).toBe(4);
		expect(refreshTokens.slice(1)).toEqual(servers.log.refreshes.map((refresh) => refresh.issuedRefreshToken));
		expect(reauthenticate).not.toHaveBeenCalled();

		// The rotation is real: replaying the first refresh token is refused (and the provider revokes the grant).
		const replay = await oauthRefresh({ tokenEndpoint: discovery.token_endpoint, clientId })({
			refreshToken: tokens.refreshToken,
			signal: new AbortController().signal,
		}).catch((error: unknown) => error);
		expect(classifyRefreshError(replay)).toBe("rejected");
		expect(servers.log.errors.map((error) => error.error)).toEqual(["invalid_grant"]);
	});

	it("should re-authenticate once and stall every request when the grant is revoked", async () => {
		const { client, store, reauthenticate } = await signedInClient();
		const { refreshToken } = await currentTokens(store);
		await revoke(discovery, clientId, refreshToken!);
		expect(servers.log.revoked).toBe(1);
		// Revoking the grant takes its access tokens with it: the client, still holding a valid-looking one, finds out by 401.
		expect(await servers.isActive((await currentTokens(store)).accessToken)).toBe(false);

		const { elapsedMs, ...results } = await storm(client);

		expect(results, `after ${elapsedMs} ms`).toEqual({ fulfilled: 0, rejected: 0, pending: stormSize, asAlice: 0 });
		expect(client.session.getSnapshot().status).toBe("reauthenticating");
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(reauthenticate).toHaveBeenCalledWith("refresh-failed");
		// One refresh attempt, refused: the revoked grant's refresh token is not retried or replayed.
		expect(servers.log.errors.map((error) => [error.grantType, error.error])).toEqual([["refresh_token", "invalid_grant"]]);
		expect(servers.log.refreshes).toHaveLength(0);
		expect(servers.api.unauthorized).toBe(stormSize);
	});
});

describeDPoP();
