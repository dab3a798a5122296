import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { athOf, verifyProof } from "./verifyProof.js";

/** One request as the server judged it. Token values are kept for comparison only. */
export type Hit = {
	path: string;
	method: string;
	status: number;
	/** The OAuth / RFC 9449 error it answered, if any. */
	error: string | undefined;
	/** The nonce the proof carried. */
	nonce: string | undefined;
	/** The refresh token a token request carried. */
	refreshToken?: string | undefined;
	htu?: string | undefined;
};

export type DPoPServerOptions = {
	/** Every proof must carry the current nonce (RFC 9449 §9). @default true */
	requireNonce?: boolean;
	/** Hands out a new nonce with every successful answer, as a server whose nonces rotate. @default false */
	rotateNonceOnSuccess?: boolean;
	/** Milliseconds before answering /api requests, to keep a burst concurrent. @default 0 */
	latencyMs?: number;
	/** Other routes on the same origin (a page for the browser tests): answers and returns true, or returns false. */
	serve?: (req: IncomingMessage, res: ServerResponse) => boolean;
};

/**
 * A small authorization and resource server on 127.0.0.1 that checks DPoP the way RFC 9449 asks (signature, typ, alg,
 * htm, htu, iat, jti replay, ath, nonce, and the key the token is bound to), written without any of tokenflight's code:
 * `POST /token` (refresh grant, rotating), `GET|POST /api/*` (protected), `GET /api/moved` (307 to /api/me).
 */
export async function startDPoPServer(options: DPoPServerOptions = {}) {
	const requireNonce = options.requireNonce ?? true;
	let nonceCounter = 0;
	let nonce = `nonce-${++nonceCounter}`;
	const seenJti = new Set<string>();
	// access token → the thumbprint it is bound to (cnf.jkt); refresh token → the same, and whether it was used.
	const accessTokens = new Map<string, { jkt: string; expired: boolean }>();
	const refreshTokens = new Map<string, { jkt: string; used: boolean }>();
	const hits: Hit[] = [];
	let tokenCounter = 0;
	/** What the next token requests answer before anything is checked: `use_dpop_nonce` whatever the proof says, for instance. */
	const tokenFaults: ("use_dpop_nonce" | "server_error")[] = [];
	const state = { challengeEveryRequest: false };

	const server = createServer((req, res) => void handle(req, res).catch((error: unknown) => {
		console.error("dpop test server failed", error);
		if (!res.headersSent) res.writeHead(500);
		res.end();
	}));
	const origin = `http://127.0.0.1:${await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))}`;

	async function check(req: IncomingMessage, accessToken: string | undefined): Promise<{ error: string; jkt?: undefined; nonce?: string | undefined } | { error?: undefined; jkt: string; nonce: string | undefined }> {
		const proof = req.headers["dpop"];
		if (typeof proof !== "string") return { error: "invalid_dpop_proof" };
		let verified;
		try {
			verified = await verifyProof(proof);
		} catch {
			return { error: "invalid_dpop_proof" };
		}
		const { claims, jkt } = verified;
		const path = new URL(req.url ?? "/", origin).pathname;
		if (claims.htm !== req.method || claims.htu !== `${origin}${path}`) return { error: "invalid_dpop_proof", nonce: claims.nonce };
		if (typeof claims.iat !== "number" || Math.abs(claims.iat - Date.now() / 1000) > 60) return { error: "invalid_dpop_proof", nonce: claims.nonce };
		if (accessToken === undefined ? claims.ath !== undefined : claims.ath !== athOf(accessToken)) return { error: "invalid_dpop_proof", nonce: claims.nonce };
		if (requireNonce && claims.nonce !== nonce) return { error: "use_dpop_nonce", nonce: claims.nonce };
		if (seenJti.has(claims.jti)) return { error: "invalid_dpop_proof", nonce: claims.nonce };
		seenJti.add(claims.jti);
		return { jkt, nonce: claims.nonce };
	}

	function answer(res: ServerResponse, hit: Hit, status: number, body: object, headers: Record<string, string> = {}) {
		hit.status = status;
		hit.error = (body as { error?: string }).error;
		hits.push(hit);
		res.writeHead(status, { "content-type": "application/json", ...headers });
		res.end(JSON.stringify(body));
	}

	function issue(jkt: string) {
		const accessToken = `at-${++tokenCounter}`;
		const refreshToken = `rt-${tokenCounter}`;
		accessTokens.set(accessToken, { jkt, expired: false });
		refreshTokens.set(refreshToken, { jkt, used: false });
		return { access_token: accessToken, token_type: "DPoP", expires_in: 3600, refresh_token: refreshToken };
	}

	async function handle(req: IncomingMessage, res: ServerResponse) {
		const url = new URL(req.url ?? "/", origin);
		const hit: Hit = { path: url.pathname, method: req.method ?? "GET", status: 0, error: undefined, nonce: undefined };
		const challengeHeaders = () => ({ "dpop-nonce": nonce });

		if (url.pathname === "/token" && req.method === "POST") {
			let text = "";
			for await (const chunk of req) text += chunk;
			const params = new URLSearchParams(text);
			hit.refreshToken = params.get("refresh_token") ?? undefined;
			const fault = tokenFaults.shift();
			if (fault === "use_dpop_nonce") return answer(res, hit, 400, { error: "use_dpop_nonce", error_description: "Authorization server requires nonce in DPoP proof" }, challengeHeaders());
			if (fault === "server_error") return answer(res, hit, 503, { error: "server_error" });
			const result = await check(req, undefined);
			hit.nonce = result.nonce;
			// RFC 9449 §8: rejected before the grant is looked at, so the refresh token is not used.
			if (result.error === "use_dpop_nonce") return answer(res, hit, 400, { error: "use_dpop_nonce", error_description: "Authorization server requires nonce in DPoP proof" }, challengeHeaders());
			if (result.error) return answer(res, hit, 400, { error: result.error });
			const stored = hit.refreshToken === undefined ? undefined : refreshTokens.get(hit.refreshToken);
			if (!stored || stored.used || stored.jkt !== result.jkt) return answer(res, hit, 400, { error: "invalid_grant" });
			stored.used = true;
			return answer(res, hit, 200, issue(result.jkt));
		}

		if (url.pathname.startsWith("/api/")) {
			if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
			const accessToken = /^DPoP (.+)$/.exec(req.headers.authorization ?? "")?.[1];
			const proof = req.headers["dpop"];
			if (typeof proof === "string") hit.htu = (await verifyProof(proof).catch(() => undefined))?.claims.htu;
			if (url.pathname === "/api/moved") {
				hit.status = 307;
				hits.push(hit);
				res.writeHead(307, { location: "/api/me" });
				return res.end();
			}
			const result = await check(req, accessToken);
			hit.nonce = result.nonce;
			if (result.error === "use_dpop_nonce" || (state.challengeEveryRequest && !result.error)) {
				// A server whose nonce has moved on again by the time the retry arrives.
				if (state.challengeEveryRequest) nonce = `nonce-${++nonceCounter}`;
				return answer(res, hit, 401, { error: "use_dpop_nonce" }, { "www-authenticate": 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"', ...challengeHeaders() });
			}
			if (result.error) return answer(res, hit, 401, { error: result.error }, { "www-authenticate": `DPoP error="${result.error}"` });
			const token = accessToken === undefined ? undefined : accessTokens.get(accessToken);
			if (!token || token.expired || token.jkt !== result.jkt) return answer(res, hit, 401, { error: "invalid_token" }, { "www-authenticate": 'DPoP error="invalid_token"' });
			if (options.rotateNonceOnSuccess) nonce = `nonce-${++nonceCounter}`;
			return answer(res, hit, 200, { ok: true, path: url.pathname }, options.rotateNonceOnSuccess ? challengeHeaders() : {});
		}
		if (options.serve?.(req, res)) return;
		answer(res, hit, 404, { error: "not_found" });
	}

	return {
		origin,
		tokenEndpoint: `${origin}/token`,
		apiBaseUrl: `${origin}/api/`,
		hits,
		tokenFaults,
		/** Answers every /api request with a new `use_dpop_nonce` challenge. */
		set challengeEveryRequest(value: boolean) {
			state.challengeEveryRequest = value;
		},
		/** Tokens as a sign-in with this key would have issued them (the code exchange is not under test here). */
		signIn(jkt: string) {
			const issued = issue(jkt);
			return { accessToken: issued.access_token, refreshToken: issued.refresh_token };
		},
		expire(accessToken: string) {
			const token = accessTokens.get(accessToken);
			if (token) token.expired = true;
		},
		rotateNonce() {
			nonce = `nonce-${++nonceCounter}`;
			return nonce;
		},
		get nonce() {
			return nonce;
		},
		reset() {
			hits.length = 0;
		},
		close(): Promise<void> {
			server.closeAllConnections();
			return new Promise((resolve) => (server as Server).close(() => resolve()));
		},
	};
}

export type DPoPServer = Awaited<ReturnType<typeof startDPoPServer>>;
