// Property-based check of issue 11: step-up and insufficient-scope challenges never touch the session.
// Random schedules interleave requests to endpoints that answer 200, a step-up challenge (RFC 9470) or an
// insufficient_scope challenge (RFC 6750), with slow answers, aborts, expired tokens (a real 401 that refreshes), a
// step-up handler that is present or absent, slow, navigating or failing. Invariants:
//   1. a step-up or scope challenge never calls refresh, never calls reauthenticate and never signs out: refreshes
//      happen only for the token the server declared expired, and reauthenticate is never called at all;
//   2. a scope challenge rejects with InsufficientScopeError carrying the scope; a step-up without a handler rejects
//      with StepUpRequiredError; with a handler, concurrent challenges share one call and each is retried once;
//   3. requests to the plain endpoint always succeed (once the refresh, if any, is through);
//   4. every request settles, but those waiting on a step-up handler that navigated away.
// A failure prints fast-check's seed and shrunk schedule; replay with FC_SEED=<seed> FC_PATH=<path>.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { InsufficientScopeError, StepUpRequiredError, createClient, memoryTokenStore, type ClientOptions, type TokenSet } from "../../src/index.js";
import { memoryStorage } from "../helpers/storage.js";

const runs = Number(process.env.FC_RUNS ?? 300);

type Endpoint = "plain" | "stepUp" | "scope";
type Step =
	| { kind: "request"; endpoint: Endpoint; latencyMs: number; abortAfterMs: number | null }
	| { kind: "expire" }
	| { kind: "wait"; ms: number };
type Handler = "none" | "tokens" | "slowTokens" | "navigate" | "throws";

const step: fc.Arbitrary<Step> = fc.oneof(
	{ weight: 6, arbitrary: fc.record({ kind: fc.constant("request" as const), endpoint: fc.constantFrom<Endpoint>("plain", "stepUp", "scope"), latencyMs: fc.integer({ min: 0, max: 20 }), abortAfterMs: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }) }) },
	{ weight: 1, arbitrary: fc.constant({ kind: "expire" as const }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 25 }) }) },
);

// At most one expiry: a 401 for a token just refreshed means a dead session (README), which is not what this suite is about.
const schedule = fc.record({
	handler: fc.constantFrom<Handler>("none", "tokens", "slowTokens", "navigate", "throws"),
	steps: fc.array(step, { minLength: 1, maxLength: 20 }).filter((steps) => steps.filter((s) => s.kind === "expire").length <= 1),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function check({ handler, steps }: { handler: Handler; steps: Step[] }): Promise<string[]> {
	const problems: string[] = [];
	let issued = 1;
	const valid = new Set(["at-1"]);
	const elevated = new Set<string>();
	// Tokens the server declared expired, and so may be refreshed.
	let expiredByServer = 0;
	// A fetch that honours its signal, as a real one does.
	const fetch = (request: Request): Promise<Response> =>
		new Promise<Response>((resolve, reject) => {
			const abort = () => reject(request.signal.reason ?? new DOMException("aborted", "AbortError"));
			if (request.signal.aborted) return abort();
			request.signal.addEventListener("abort", abort, { once: true });
			void answer(request).then(resolve, reject);
		});
	const answer = async (request: Request): Promise<Response> => {
		const url = new URL(request.url);
		const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
		const latency = Number(url.searchParams.get("latency") ?? 0);
		if (latency) await sleep(latency);
		if (!valid.has(token)) return new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } });
		if (url.pathname.endsWith("/scope")) return new Response(null, { status: 403, headers: { "www-authenticate": 'Bearer error="insufficient_scope", scope="admin"' } });
		if (url.pathname.endsWith("/stepUp") && !elevated.has(token)) {
			return new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer error="insufficient_user_authentication", acr_values="mfa", max_age="60"' } });
		}
		return Response.json({ ok: true });
	};
	const refresh = vi.fn(async (): Promise<TokenSet> => {
		const accessToken = `at-${++issued}`;
		valid.add(accessToken);
		return { accessToken, refreshToken: `rt-${issued}` };
	});
	const reauthenticate = vi.fn(() => undefined);
	const stepUpCalls: number[] = [];
	const stepUp: ClientOptions["stepUp"] =
		handler === "none"
			? undefined
			: async () => {
					stepUpCalls.push(Date.now());
					if (handler === "throws") throw new Error("the user closed the dialog");
					if (handler === "navigate") return undefined;
					if (handler === "slowTokens") await sleep(15);
					const accessToken = `at-${++issued}`;
					valid.add(accessToken);
					elevated.add(accessToken);
					return { accessToken, refreshToken: `rt-${issued}` };
				};
	const statuses: string[] = [];
	const client = createClient({
		baseUrl: "https://app.example/api/",
		auth: { type: "bearer", store: memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" }), refresh },
		reauthenticate,
		...(stepUp ? { stepUp } : {}),
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch: fetch as typeof globalThis.fetch, retry: 0 },
	});
	client.session.subscribe(({ status }) => statuses.push(status));
	const pending: Promise<void>[] = [];
	for (const [index, current] of steps.entries()) {
		if (current.kind === "wait") await sleep(current.ms);
		else if (current.kind === "expire") {
			expiredByServer++;
			// The access tokens issued so far expire; one a step-up has just issued is fresh and stays.
			for (const token of [...valid]) if (!elevated.has(token)) valid.delete(token);
		} else {
			const controller = new AbortController();
			if (current.abortAfterMs !== null) setTimeout(() => controller.abort(), current.abortAfterMs);
			const settled = client.get(`${current.endpoint}?latency=${current.latencyMs}`, { signal: controller.signal }).then(
				() => {
					if (current.endpoint === "scope") problems.push(`2: request ${index} to scope resolved`);
					if (current.endpoint === "stepUp" && (handler === "none" || handler === "throws" || handler === "navigate")) problems.push(`2: step-up request ${index} resolved without a step-up`);
				},
				(error: unknown) => {
					if (controller.signal.aborted) return;
					if (current.endpoint === "scope" && !(error instanceof InsufficientScopeError && error.scope?.[0] === "admin")) problems.push(`2: scope request ${index} rejected with ${String(error)}`);
					if (current.endpoint === "stepUp" && !(error instanceof StepUpRequiredError)) problems.push(`2: step-up request ${index} rejected with ${String(error)}`);
					if (current.endpoint === "plain") problems.push(`3: plain request ${index} rejected with ${String(error)}`);
				},
			);
			const navigating = handler === "navigate" && current.endpoint === "stepUp";
			pending.push(Promise.race([settled, sleep(navigating ? 60 : 1_000).then(() => void (navigating || problems.push(`4: request ${index} to ${current.endpoint} never settled`)))]));
		}
	}
	await Promise.all(pending);
	await sleep(5);
	if (reauthenticate.mock.calls.length > 0) problems.push(`1: reauthenticate called ${reauthenticate.mock.calls.length} times`);
	if (refresh.mock.calls.length > expiredByServer) problems.push(`1: ${refresh.mock.calls.length} refreshes for ${expiredByServer} expiries`);
	if (statuses.includes("signedOut") || statuses.includes("reauthenticating")) problems.push(`1: the session went through ${statuses.join(" → ")}`);
	client.dispose();
	return problems;
}

describe("challenges under random schedules", () => {
	it(`never refresh, re-authenticate or sign out for step-up and scope challenges (${runs} schedules)`, async () => {
		await fc.assert(
			fc.asyncProperty(schedule, async (value) => {
				expect(await check(value)).toEqual([]);
			}),
			{
				numRuns: runs,
				...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
				...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
			},
		);
	}, 120_000);
});
