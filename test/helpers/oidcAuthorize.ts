import { createHash, randomBytes } from "node:crypto";
import type { DPoP } from "../../src/dpop/index.js";
import { parseTokenResponse, type TokenSet } from "../../src/index.js";

export type Discovery = { authorization_endpoint: string; token_endpoint: string; revocation_endpoint: string };

export async function discover(issuer: string): Promise<Discovery> {
	const response = await fetch(`${issuer}/.well-known/openid-configuration`);
	if (!response.ok) throw new Error(`Discovery failed with ${response.status}`);
	return (await response.json()) as Discovery;
}

/**
 * Signs the test user in the way a browser would: the authorization-code flow with PKCE (RFC 7636), following
 * the provider's redirects by hand and carrying its cookies (session, interaction) like a browser's cookie jar.
 * `prompt=consent` is what lets the provider keep `offline_access` (OIDC Core §11), and with it the refresh token.
 */
export async function signInWithCode(options: { discovery: Discovery; clientId: string; redirectUri: string; dpop?: DPoP }): Promise<TokenSet> {
	const { discovery, clientId, redirectUri, dpop } = options;
	const verifier = randomBytes(32).toString("base64url");
	const state = randomBytes(16).toString("base64url");
	const authorize = new URL(discovery.authorization_endpoint);
	authorize.search = new URLSearchParams({
		client_id: clientId,
		redirect_uri: redirectUri,
		response_type: "code",
		scope: "openid offline_access",
		prompt: "consent",
		state,
		code_challenge: createHash("sha256").update(verifier).digest("base64url"),
		code_challenge_method: "S256",
		// RFC 9449 §10: the code can only be exchanged with a proof of this key.
		...(dpop ? { dpop_jkt: await dpop.thumbprint() } : {}),
	}).toString();

	const jar = new Map<string, string>();
	let url = authorize;
	let callback: URL | undefined;
	// authorize → login → resume → consent → resume → redirect_uri: six hops; more means a loop.
	for (let hop = 0; hop < 10 && !callback; hop++) {
		const cookie = Array.from(jar, ([name, value]) => `${name}=${value}`).join("; ");
		const response = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
		for (const setCookie of response.headers.getSetCookie()) keepCookie(jar, setCookie);
		const location = response.headers.get("location");
		await response.body?.cancel();
		if (response.status < 300 || response.status > 399 || location === null) {
			throw new Error(`The authorization flow stopped at ${url.pathname} with ${response.status}`);
		}
		const next = new URL(location, url);
		if (`${next.origin}${next.pathname}` === redirectUri) callback = next;
		else url = next;
	}
	if (!callback) throw new Error("The authorization flow did not reach the redirect URI");
	const error = callback.searchParams.get("error");
	if (error !== null) throw new Error(`Authorization failed: ${error} ${callback.searchParams.get("error_description") ?? ""}`);
	if (callback.searchParams.get("state") !== state) throw new Error("The authorization response's state does not match");
	const code = callback.searchParams.get("code");
	if (code === null) throw new Error("The authorization response has no code");

	// With DPoP, the exchange carries a proof (which binds the tokens to the key), and is sent once more with the
	// provider's nonce after a use_dpop_nonce, which the provider answers before looking at the code (RFC 9449 §8).
	const exchange = async () => {
		const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" });
		if (dpop) headers.set("dpop", await dpop.proof({ method: "POST", url: discovery.token_endpoint, now: dpop.now() }));
		const answer = await fetch(discovery.token_endpoint, {
			method: "POST",
			headers,
			body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId }),
		});
		dpop?.observe(discovery.token_endpoint, answer);
		return { response: answer, body: (await answer.json()) as unknown };
	};
	let { response, body } = await exchange();
	if (dpop && response.status === 400 && (body as { error?: string }).error === "use_dpop_nonce") ({ response, body } = await exchange());
	const requestedAt = Date.now();
	if (!response.ok) throw new Error(`The code exchange failed with ${response.status} ${(body as { error?: string }).error ?? ""}`);
	const tokens = parseTokenResponse(body, requestedAt, { tokenType: dpop ? "DPoP" : "Bearer" });
	if (tokens.refreshToken === undefined) throw new Error("The provider issued no refresh token");
	return tokens;
}

/** RFC 7009 revocation of a refresh token; oidc-provider then revokes the whole grant, access tokens included. */
export async function revoke(discovery: Discovery, clientId: string, refreshToken: string): Promise<void> {
	const response = await fetch(discovery.revocation_endpoint, {
		method: "POST",
		headers: { "content-type": "application/x-www-form-urlencoded" },
		body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token", client_id: clientId }),
	});
	await response.body?.cancel();
	if (!response.ok) throw new Error(`Revocation failed with ${response.status}`);
}

function keepCookie(jar: Map<string, string>, setCookie: string): void {
	const [pair = "", ...attributes] = setCookie.split(";");
	const separator = pair.indexOf("=");
	const name = pair.slice(0, separator).trim();
	const value = pair.slice(separator + 1).trim();
	const expired = attributes.some((attribute) => {
		const [key = "", raw = ""] = attribute.split("=").map((part) => part.trim());
		if (/^max-age$/i.test(key)) return Number(raw) <= 0;
		if (/^expires$/i.test(key)) return Date.parse(raw) <= Date.now();
		return false;
	});
	// Paths are ignored on purpose: oidc-provider's cookie names are distinct, so sending all of them is harmless.
	if (expired || value === "") jar.delete(name);
	else jar.set(name, value);
}
