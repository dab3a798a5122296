import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDPoP, type DPoP } from "../../src/dpop/index.js";
import { classifyRefreshError, createClient, memoryTokenStore, oauthRefresh, type Client, type Reauthenticate, type RefreshFunction, type TokenSet } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";
import { discover, signInWithCode, type Discovery } from "../helpers/oidcAuthorize.js";
import { clientId, startOidcServers, type OidcTestServers } from "../fixtures/oidc/oidcServer.js";

/**
 * Run from oidcProvider.test.ts, after its own suite rather than beside it: both time real 2-second token expiries,
 * and two files of 200-request storms on two CPUs would each slow the other past them.
 *
 * DPoP (RFC 9449) against oidc-provider 9: tokens bound to the key at the code exchange, nonces required on every
 * proof at /token and at the userinfo endpoint (/me, the protected resource here, which checks htm, htu, iat, jti, ath,
 * the nonce and the key binding itself), refresh-token rotation, 2-second access tokens and no clock tolerance.
 */
export function describeDPoP(): void {
	describe("DPoP (RFC 9449)", () => {
		const stormSize = 200;

		let servers: OidcTestServers;
		// Seconds: 2 where the test watches expiries, longer where an expiry would only get in the way.
		let accessTokenTtl = 2;
		let discovery: Discovery;
		const clients: Client[] = [];

		beforeAll(async () => {
			servers = await startOidcServers({ dpop: true, accessTokenTtl: () => accessTokenTtl });
			discovery = await discover(servers.issuer);
		});
		afterAll(async () => {
			await servers?.close();
		});
		beforeEach(() => {
			servers.resetCounters();
			accessTokenTtl = 2;
		});
		afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

		async function signedInClient(dpop: DPoP = createDPoP({ storage: "memory" })) {
			const tokens = await signInWithCode({ discovery, clientId, redirectUri: servers.redirectUri, dpop });
			const store = memoryTokenStore(tokens);
			const refresh = vi.fn<RefreshFunction>(oauthRefresh({ tokenEndpoint: discovery.token_endpoint, clientId, dpop }));
			const reauthenticate = vi.fn<Reauthenticate>(() => undefined);
			const client = createClient({
				baseUrl: servers.userinfoBaseUrl,
				auth: { type: "bearer", store, refresh, dpop },
				reauthenticate,
				reloadGuard: { storage: memoryStorage(), history: null },
				tabs: false,
				refreshLeewayMs: 0,
				ky: { retry: 0 },
			});
			clients.push(client);
			return { client, dpop, store, refresh, reauthenticate, tokens };
		}

		async function current(store: ReturnType<typeof memoryTokenStore>): Promise<TokenSet> {
			const tokens = await store.get();
			if (!tokens) throw new Error("The store is empty");
			return tokens;
		}

		async function untilExpired(accessToken: string): Promise<void> {
			const deadline = Date.now() + 5_000;
			while (await servers.isActive(accessToken)) {
				if (Date.now() > deadline) throw new Error("The access token did not expire within 5 s");
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
		}

		/** Fires the storm; settles when every request has, or the client stalled them in a re-authentication. */
		async function storm(client: Client) {
			const states = Array.from({ length: stormSize }, () => "pending" as "pending" | "alice" | "other" | "rejected");
			Array.from({ length: stormSize }, () => client.get<{ sub: string }>("me")).forEach((promise, i) =>
				promise.then(
					(body) => void (states[i] = body.sub === "alice" ? "alice" : "other"),
					() => void (states[i] = "rejected"),
				),
			);
			const count = (state: string) => states.filter((value) => value === state).length;
			const deadline = Date.now() + 10_000;
			while (count("pending") > 0 && client.session.getSnapshot().status !== "reauthenticating" && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
			return { asAlice: count("alice"), other: count("other"), rejected: count("rejected"), pending: count("pending") };
		}

		/** A /me call by hand, as an attacker would make it. */
		async function callMe(accessToken: string, proof: string) {
			const response = await fetch(`${servers.issuer}/me`, { headers: { authorization: `DPoP ${accessToken}`, dpop: proof } });
			return { status: response.status, challenge: response.headers.get("www-authenticate") ?? "" };
		}

		const errorCodes = (errors: { error: string }[]) => errors.map((entry) => entry.error);

		describe("DPoP against oidc-provider with nonces and refresh-token rotation", () => {
			it(`should bind the tokens to the key, and answer a ${stormSize}-request storm after expiry with one refresh grant`, async () => {
				const { client, dpop, store, refresh, reauthenticate, tokens } = await signedInClient();
				const jkt = await dpop.thumbprint();
				// The provider bound the token to our key (cnf.jkt).
				expect((await servers.provider.AccessToken.find(tokens.accessToken))?.jkt).toBe(jkt);
				await untilExpired(tokens.accessToken);
				// The refreshed token outlives the storm however slow the machine is: with 2 s, a storm slowed past it meets a
				// second, legitimate expiry, which the core answers with a re-authentication (see oidcProvider.test.ts).
				accessTokenTtl = 60;

				const results = await storm(client);

				const tokenErrors = errorCodes(servers.log.errors);
				const userinfoErrors = errorCodes(servers.log.userinfoErrors);
				expect({ ...results, refreshGrants: servers.log.refreshes.length, refreshCalls: refresh.mock.calls.length }).toEqual({
					asAlice: stormSize,
					other: 0,
					rejected: 0,
					pending: 0,
					refreshGrants: 1,
					refreshCalls: 1,
				});
				expect(tokenErrors.filter((code) => code === "invalid_grant" || code === "invalid_dpop_proof")).toEqual([]);
				expect(userinfoErrors.filter((code) => code === "invalid_dpop_proof")).toEqual([]);
				// The only refusals: the expired token (the client learns of the expiry by 401) and nonces.
				expect(userinfoErrors.filter((code) => code !== "invalid_token" && code !== "use_dpop_nonce")).toEqual([]);
				expect(tokenErrors.filter((code) => code !== "use_dpop_nonce")).toEqual([]);
				expect(servers.log.consumed).toBe(1);
				expect(servers.log.revoked).toBe(0);
				// The refresh rotated the refresh token, and the new tokens are bound to the same key.
				const latest = await current(store);
				expect(latest.refreshToken).toBe(servers.log.refreshes[0]?.issuedRefreshToken);
				expect(latest.refreshToken).not.toBe(tokens.refreshToken);
				expect((await servers.provider.AccessToken.find(latest.accessToken))?.jkt).toBe(jkt);
				expect(reauthenticate).not.toHaveBeenCalled();
				expect(client.session.getSnapshot().status).toBe("authenticated");
			});

			it("should retry each of the provider's nonce challenges once, without a refresh, when the nonce it knows has gone stale", async () => {
				accessTokenTtl = 60;
				const { client, dpop, refresh } = await signedInClient();
				// What a nonce the provider has stopped accepting looks like to the client (they rotate every minute).
				dpop.observe(servers.issuer, new Response(null, { headers: { "dpop-nonce": "stale-nonce" } }));
				servers.resetCounters();

				const results = await storm(client);

				expect(results).toEqual({ asAlice: stormSize, other: 0, rejected: 0, pending: 0 });
				expect(tally(servers.log.userinfoErrors.map((entry) => `${entry.error}: ${entry.description}`))).toEqual({ "use_dpop_nonce: invalid nonce in DPoP proof": stormSize });
				expect(refresh).not.toHaveBeenCalled();
				expect(servers.log.refreshes).toHaveLength(0);
			});

			it("should have the provider refuse a replayed proof, a proof made for another token, and a stolen token without the key", async () => {
				accessTokenTtl = 60;
				const dpop = createDPoP({ storage: "memory" });
				const first = await signInWithCode({ discovery, clientId, redirectUri: servers.redirectUri, dpop });
				const second = await signInWithCode({ discovery, clientId, redirectUri: servers.redirectUri, dpop });
				const me = `${servers.issuer}/me`;
				const proofFor = (key: DPoP, accessToken: string) => key.proof({ method: "GET", url: me, accessToken, now: key.now() });

				const proof = await proofFor(dpop, first.accessToken);
				expect(await callMe(first.accessToken, proof)).toMatchObject({ status: 200 });
				servers.resetCounters();
				// The same proof again: its jti was seen.
				expect(await callMe(first.accessToken, proof)).toEqual({ status: 401, challenge: expect.stringContaining('error="invalid_token"') });
				// A proof made for the first token, replayed with the second token (same key): its ath names another token.
				expect(await callMe(second.accessToken, await proofFor(dpop, first.accessToken))).toEqual({ status: 401, challenge: expect.stringContaining('error="invalid_dpop_proof"') });
				// A stolen access token with a proof of the thief's own key, even with a good nonce: the token is bound to ours.
				const thief = createDPoP({ storage: "memory" });
				thief.observe(me, new Response(null, { headers: { "dpop-nonce": dpop.nonce(me) ?? "" } }));
				expect(await callMe(first.accessToken, await proofFor(thief, first.accessToken))).toEqual({ status: 401, challenge: expect.stringContaining('error="invalid_token"') });
				// The provider's own reasons, which it keeps out of its answers.
				expect(servers.log.userinfoErrors.map(({ error, description, detail }) => [error, detail ?? description])).toEqual([
					["invalid_token", "DPoP proof JWT Replay detected"],
					["invalid_dpop_proof", "DPoP proof ath mismatch"],
					["invalid_token", "failed jkt verification"],
				]);

				// A stolen refresh token, likewise: refused, and the grant is not revoked for its owner.
				const stolen = await oauthRefresh({ tokenEndpoint: discovery.token_endpoint, clientId, dpop: thief })({ refreshToken: first.refreshToken, signal: AbortSignal.timeout(5_000) }).catch((error: unknown) => error);
				expect(classifyRefreshError(stolen)).toBe("rejected");
				expect(servers.log.errors.filter((entry) => entry.error !== "use_dpop_nonce").map(({ error, detail }) => [error, detail])).toEqual([["invalid_grant", "failed jkt verification"]]);
				const own = await oauthRefresh({ tokenEndpoint: discovery.token_endpoint, clientId, dpop })({ refreshToken: first.refreshToken, signal: AbortSignal.timeout(5_000) });
				expect(own?.refreshToken).not.toBe(first.refreshToken);
				expect(servers.log.revoked).toBe(0);
			});
		});

		function tally(codes: string[]): Record<string, number> {
			return codes.reduce<Record<string, number>>((counts, code) => ({ ...counts, [code]: (counts[code] ?? 0) + 1 }), {});
		}
	});
}
