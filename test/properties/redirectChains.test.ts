// Property: redirect chains of 0–5 hops across trusted and foreign origins and non-http(s) schemes, answered 301, 302,
// 303, 307 or 308, for every method, with bearer, cookie + CSRF or DPoP credentials, a caller's own Authorization or
// not, with redirect "follow" or "manual", in Node or a browser (which hides a manual redirect's target). Invariants:
//   1. no token, CSRF value, proof or caller Authorization reaches an untrusted origin, nor any hop after the chain
//      left the trusted origins (a foreign origin never picks where credentials go next);
//   2. every proof's htm, htu and jti match the hop it rides, with a fresh jti on each;
//   3. a redirect to anything but http(s) is a network error (client.fetch: a TypeError); "manual" hands the first
//      answer back; a redirect the client follows itself but cannot see (a browser's) is a RedirectError; otherwise
//      the caller gets the final answer, with fetch's `url` and `redirected`;
//   4. a response whose final URL is untrusted never changes the session (no refresh, no re-authentication, no new
//      identity), whatever it answers;
//   5. no hop is sent twice (no write is sent twice).
// The network is an in-process fake that follows redirects by fetch's rules (WHATWG Fetch §4.4 "HTTP-redirect fetch"),
// so 1,000 chains run in a few seconds; test/redirects/*.test.ts hold the same rules over node:http and Node's fetch.
// A failure prints fast-check's seed and shrunk chain; replay with FC_SEED=<seed> FC_PATH=<path>.
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createDPoP } from "../../src/dpop/index.js";
import { RedirectError, createClient, memoryTokenStore, type ClientOptions, type RefreshFunction } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";

const runs = Number(process.env.FC_RUNS ?? 1_000);

const api = "https://api.example";
const files = "https://files.example";
const evil = "https://evil.example";
const cdn = "http://cdn.example:8080";
const trustedOrigins = new Set([api, files]);
type Target = typeof api | typeof files | typeof evil | typeof cdn | "data" | "ftp";
type Hop = { target: Target; status: 301 | 302 | 303 | 307 | 308; relative: boolean };
type Auth = "bearer" | "cookie" | "dpop";
type Scenario = {
	auth: Auth;
	method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
	start: typeof api | typeof files;
	chain: Hop[];
	callerAuthorization: boolean;
	redirect: "follow" | "manual";
	foreignFinal: 200 | 401;
	/** A browser hides a redirect's target from `redirect: "manual"` (an opaque redirect); Node shows it. */
	runtime: "node" | "browser";
};

const accessToken = "access-token-2f0c9d8e7b6a";
const csrfValue = "csrf-value-5e4d3c2b1a";
const callerAuthorization = "Basic Y2FsbGVyOnNlY3JldA==";
const secrets = [accessToken, csrfValue, callerAuthorization];

const scenario: fc.Arbitrary<Scenario> = fc.record({
	auth: fc.constantFrom<Auth>("bearer", "cookie", "dpop"),
	method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
	start: fc.constantFrom(api, files),
	chain: fc.array(
		fc.record({
			target: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<Target>(api, files, evil, cdn) }, { weight: 1, arbitrary: fc.constantFrom<Target>("data", "ftp") }),
			status: fc.constantFrom(301, 302, 303, 307, 308),
			relative: fc.boolean(),
		}),
		{ maxLength: 5 },
	),
	callerAuthorization: fc.boolean(),
	redirect: fc.constantFrom("follow", "manual"),
	foreignFinal: fc.constantFrom(200, 401),
	runtime: fc.constantFrom("node", "browser"),
});

type Seen = { url: URL; method: string; headers: Headers; body: string; hop: number };

/** What the servers answer: hop i redirects to chain[i]'s target, the end of the chain answers 200 (trusted) or `foreignFinal`. */
function serve(s: Scenario, url: URL): Response {
	const hop = Number(/^\/hop\/(\d+)$/.exec(url.pathname)?.[1] ?? NaN);
	const next = s.chain[hop];
	if (next === undefined) {
		const trusted = trustedOrigins.has(url.origin);
		const status = trusted ? 200 : s.foreignFinal;
		return new Response(JSON.stringify({ hop, origin: url.origin }), { status, headers: { "content-type": "application/json", "x-user": trusted ? "alice" : "mallory" } });
	}
	const location =
		next.target === "data" ? 'data:application/json,{"balance":1000000}' : next.target === "ftp" ? `ftp://files.example/hop/${hop + 1}` : next.relative && next.target === url.origin ? `/hop/${hop + 1}` : `${next.target}/hop/${hop + 1}`;
	return new Response(null, { status: next.status, headers: { location } });
}

const isHttp = (url: URL) => url.protocol === "http:" || url.protocol === "https:";

/** fetch's own redirect rules over `serve`, recording every request as a server would see it. */
function fakeNetwork(s: Scenario, seen: Seen[]): typeof fetch {
	return async (input, init) => {
		const first = input instanceof Request ? new Request(input, init) : new Request(input, init);
		let url = new URL(first.url);
		let method = first.method;
		let body: ArrayBuffer | null = first.body ? await first.arrayBuffer() : null;
		const headers = new Headers(first.headers);
		for (let redirects = 0; ; redirects++) {
			if (!isHttp(url)) throw new TypeError("fetch failed: not an HTTP(S) URL");
			const hop = Number(/^\/hop\/(\d+)$/.exec(url.pathname)?.[1] ?? -1);
			seen.push({ url, method, headers: new Headers(headers), body: body ? new TextDecoder().decode(body) : "", hop });
			const response = serve(s, url);
			const location = response.headers.get("location");
			if (response.status < 300 || response.status > 399 || location === null || first.redirect === "manual") {
				const opaque = s.runtime === "browser" && first.redirect === "manual" && location !== null;
				// An opaque redirect shows nothing: status 0, no headers, no URL.
				if (opaque) return Object.defineProperties(new Response(null), { type: { value: "opaqueredirect" }, status: { value: 0 }, url: { value: "" } });
				Object.defineProperties(response, { url: { value: url.href, configurable: true }, redirected: { value: redirects > 0, configurable: true } });
				return response;
			}
			if (first.redirect === "error" || redirects >= 20) throw new TypeError("fetch failed: redirect");
			const target = new URL(location, url);
			if (!isHttp(target)) throw new TypeError("fetch failed: redirect to a non-HTTP(S) URL");
			if ((response.status === 303 && method !== "GET" && method !== "HEAD") || ((response.status === 301 || response.status === 302) && method === "POST")) {
				method = "GET";
				body = null;
				for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(name);
			}
			if (target.origin !== url.origin) headers.delete("authorization");
			url = target;
		}
	};
}

/**
 * Whether the client follows this request's redirects itself: it carries a CSRF value, a DPoP proof, or cookies with
 * `credentials: "include"` off the page's own origin (the scenarios set no page: fetch would take the cookies along).
 */
const byHand = (s: Scenario) => s.auth === "dpop" || s.auth === "cookie";

/** The requests the chain leads to when followed, and how it ends. */
function expected(s: Scenario): { hops: number; end: "network-error" | "redirect-blocked" | { status: number; url: string; redirected: boolean } } {
	let url = `${s.start}/hop/0`;
	for (let hop = 0; ; hop++) {
		const next = s.chain[hop];
		if (next === undefined) {
			const origin = new URL(url).origin;
			return { hops: hop + 1, end: { status: trustedOrigins.has(origin) ? 200 : s.foreignFinal, url, redirected: hop > 0 } };
		}
		if (s.redirect === "manual") return { hops: 1, end: s.runtime === "browser" ? { status: 0, url: "", redirected: false } : { status: next.status, url, redirected: false } };
		// A browser hides the target of the redirect the client asked to see: it does not follow blind.
		if (s.runtime === "browser" && byHand(s)) return { hops: 1, end: "redirect-blocked" };
		if (next.target === "data" || next.target === "ftp") return { hops: hop + 1, end: "network-error" };
		url = `${next.target}/hop/${hop + 1}`;
	}
}

function decodeProof(proof: string): { htm: string; htu: string; jti: string } {
	return JSON.parse(Buffer.from(proof.split(".")[1] ?? "", "base64url").toString("utf8")) as { htm: string; htu: string; jti: string };
}

const dpop = createDPoP({ storage: "memory" });
afterAll(() => dpop.close());
const jtis = new Set<string>();

async function check(s: Scenario): Promise<void> {
	const seen: Seen[] = [];
	const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: `${accessToken}-2`, refreshToken: "rt-2" }));
	const reauthenticate = vi.fn(() => undefined);
	const auth: ClientOptions["auth"] =
		s.auth === "cookie"
			? { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: () => csrfValue } }
			: { type: "bearer", store: memoryTokenStore({ accessToken, refreshToken: "rt-1" }), refresh, ...(s.auth === "dpop" ? { dpop } : {}) };
	const client = createClient({
		baseUrl: `${api}/api/`,
		trustedOrigins: [files],
		auth,
		identity: (response) => response.headers.get("x-user"),
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch: fakeNetwork(s, seen), retry: 0 },
	});
	try {
		// Pins the identity and proves the session, so a change shows.
		await client.fetch(`${api}/hop/${s.chain.length}`);
		const before = client.session.getSnapshot();
		seen.length = 0;

		const headers: Record<string, string> = { "content-type": "application/json", "x-trace": "t-1" };
		if (s.callerAuthorization) headers["authorization"] = callerAuthorization;
		const result = await client
			.fetch(`${s.start}/hop/0`, { method: s.method, headers, redirect: s.redirect, ...(s.method === "GET" ? {} : { body: JSON.stringify({ write: 1 }) }) })
			.then((response) => ({ response }), (error: unknown) => ({ error }));

		// 1. Credentials stay on trusted origins, and only until the chain first leaves them.
		let left = false;
		for (const request of seen) {
			left ||= !trustedOrigins.has(request.url.origin);
			// Every trusted hop before that is signed for itself.
			if (!left && s.auth === "dpop") expect(request.headers.has("dpop"), `${request.url.href} went unsigned`).toBe(true);
			if (!left) continue;
			const values = [...request.headers.values()].join("\n");
			for (const secret of secrets) expect(values, `${request.url.href} got a secret`).not.toContain(secret);
			expect(request.headers.has("dpop"), `${request.url.href} got a proof`).toBe(false);
		}
		// 2. Each proof is for the hop it rides, and never seen before.
		for (const request of seen) {
			const proof = request.headers.get("dpop");
			if (proof === null) continue;
			const claims = decodeProof(proof);
			expect([claims.htm, claims.htu]).toEqual([request.method, `${request.url.origin}${request.url.pathname}`]);
			expect(jtis.has(claims.jti), "a jti sent twice").toBe(false);
			jtis.add(claims.jti);
		}
		// 3. How it ends.
		const { hops, end } = expected(s);
		if (end === "network-error") {
			expect(result).toHaveProperty("error");
			expect((result as { error: unknown }).error).toBeInstanceOf(TypeError);
		} else if (end === "redirect-blocked") {
			expect(result).toHaveProperty("error");
			expect((result as { error: unknown }).error).toBeInstanceOf(RedirectError);
		} else {
			expect(result, String((result as { error?: unknown }).error)).toHaveProperty("response");
			const { response } = result as { response: Response };
			expect({ status: response.status, url: response.url, redirected: response.redirected }).toEqual(end);
		}
		// 5. Each hop once.
		expect(seen.map((request) => request.hop)).toEqual(Array.from({ length: hops }, (_, hop) => hop));
		// 4. The session is as it was.
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot()).toEqual(before);
	} finally {
		client.dispose();
	}
}

describe("redirect chains (property)", () => {
	it(`keeps credentials, proofs and the session safe across ${runs} generated chains`, async () => {
		await fc.assert(fc.asyncProperty(scenario, check), {
			numRuns: runs,
			...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) } : {}),
		});
	}, 120_000);
});
