import type { RefreshFunction, TokenSet } from "../../src/index.js";

/**
 * `late` and `lost`: the refresh function ignores its signal (axios without one) and rotates the token after `lateMs`,
 * or twice that: past refreshTimeoutMs, and (lost) past the client's wait for a late answer too.
 */
export type RefreshOutcome = "ok" | "invalid_grant" | "network" | "timeout" | "slow" | "late" | "lost";

/**
 * An in-process auth server for property tests: no msw, so a thousand schedules run in seconds.
 * It records what the invariants need: refresh concurrency, every refresh token presented, every
 * rejection it made on auth grounds.
 */
export function simulatedBackend(options: { accessTtlMs: number; leewayMs: number; latency: () => number; lateMs?: number }) {
	let counter = 0;
	let user = "alice";
	const access = new Map<string, { expiresAt: number; user: string }>();
	const live = new Set<string>();
	// Which access token each refresh token was issued with: a refresh while that one is still fresh was not needed.
	const siblings = new Map<string, string>();
	const consumed = new Set<string>();
	const outcomes: RefreshOutcome[] = [];
	const violations: string[] = [];
	// Refresh calls in flight, by the refresh token they present ("" for none): a call that ignores its signal and outlives
	// a sign-out may overlap the next session's refresh, which presents another credential.
	const inFlight = new Map<string, number>();
	let maxInFlight = 0;
	let authRejections = 0;
	let refreshCalls = 0;
	// While set, valid tokens answer as someone else: the identity pin must catch it.
	let impostor: string | undefined;

	function issue(): TokenSet {
		counter++;
		const tokens = { accessToken: `at-${counter}`, refreshToken: `rt-${counter}`, expiresAt: Date.now() + options.accessTtlMs };
		access.set(tokens.accessToken, { expiresAt: tokens.expiresAt, user });
		live.add(tokens.refreshToken);
		siblings.set(tokens.refreshToken, tokens.accessToken);
		return tokens;
	}

	const sleep = (ms: number, signal?: AbortSignal) =>
		new Promise<void>((resolve, reject) => {
			const timer = setTimeout(resolve, ms);
			signal?.addEventListener("abort", () => {
				clearTimeout(timer);
				reject(signal.reason);
			});
		});

	const refresh: RefreshFunction = async ({ refreshToken, signal }) => {
		refreshCalls++;
		const key = refreshToken ?? "";
		inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
		maxInFlight = Math.max(maxInFlight, inFlight.get(key)!);
		try {
			if (refreshToken !== undefined && consumed.has(refreshToken)) violations.push(`refresh token ${refreshToken} presented after it was rotated`);
			const outcome = outcomes.shift() ?? "ok";
			if (outcome === "network") {
				await sleep(options.latency(), signal);
				throw new TypeError("fetch failed");
			}
			if (outcome === "timeout") {
				await sleep(1_000_000, signal);
				throw new TypeError("unreachable");
			}
			if (outcome === "late" || outcome === "lost") await sleep((options.lateMs ?? 0) * (outcome === "lost" ? 2 : 1));
			else await sleep(outcome === "slow" ? options.latency() * 5 : options.latency(), signal);
			if (outcome === "invalid_grant" || refreshToken === undefined || !live.has(refreshToken)) {
				authRejections++;
				throw Object.assign(new Error("invalid_grant"), { status: 400 });
			}
			const sibling = access.get(siblings.get(refreshToken) ?? "");
			if (sibling && sibling.user === user && sibling.expiresAt - Date.now() > options.leewayMs && impostor === undefined) {
				violations.push(`refresh with ${refreshToken} while its access token was still fresh`);
			}
			live.delete(refreshToken);
			consumed.add(refreshToken);
			return issue();
		} finally {
			inFlight.set(key, inFlight.get(key)! - 1);
		}
	};

	const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
		const request = new Request(input, init);
		await sleep(options.latency(), request.signal);
		const token = request.headers.get("authorization")?.replace(/^Bearer /, "");
		const record = token === undefined ? undefined : access.get(token);
		if (!record || record.expiresAt <= Date.now()) {
			if (record && record.user !== user) authRejections++;
			return new Response(JSON.stringify({ error: "unauthorized" }), { status: 401 });
		}
		const who = impostor ?? record.user;
		return new Response(JSON.stringify({ user: who }), { status: 200, headers: { "content-type": "application/json", "x-user-id": who } });
	};

	return {
		issue,
		refresh,
		fetch,
		queueRefreshOutcomes: (next: RefreshOutcome[]) => outcomes.push(...next),
		/** The IdP logs everyone out: every refresh token dies. */
		revokeAll() {
			for (const token of live) live.delete(token);
			authRejections++;
		},
		/** Another user signs in: every token of the current one dies. */
		switchUser(next: string) {
			user = next;
			access.clear();
			live.clear();
			authRejections++;
		},
		impersonate(next: string) {
			impostor = next;
			authRejections++;
		},
		get maxInFlight() {
			return maxInFlight;
		},
		get violations() {
			return violations;
		},
		get authRejections() {
			return authRejections;
		},
		get refreshCalls() {
			return refreshCalls;
		},
	};
}
