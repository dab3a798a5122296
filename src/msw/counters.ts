import type { RouteName } from "./routes.js";

export type MockAuthCounters = {
	/** Every POST to the token endpoint with `grant_type=refresh_token`, injected failures included. */
	readonly refreshCalls: number;
	readonly refreshSuccesses: number;
	readonly reuseDetections: number;
	/** The most token-endpoint requests in flight at once, latency included. */
	readonly maxConcurrentRefreshes: number;
	/** Cookie sessions ended because a bearer request carried their `sid` cookie without the CSRF header. */
	readonly cookieSessionLogouts: number;
	/** Responses per route per status; status 0 is an injected network error or timeout. */
	readonly requests: Readonly<Record<string, Readonly<Record<number, number>>>>;
	requestsTo(route: RouteName): number;
};

type Tally = "refreshCalls" | "refreshSuccesses" | "reuseDetections" | "cookieSessionLogouts";

/** Live counters for tests to read, plus the hooks the handlers use to update them. */
export function createCounters() {
	const state = { refreshCalls: 0, refreshSuccesses: 0, reuseDetections: 0, maxConcurrentRefreshes: 0, cookieSessionLogouts: 0 };
	const requests: Record<string, Record<number, number>> = {};
	let tokenRequestsInFlight = 0;

	const counters: MockAuthCounters = {
		get refreshCalls() {
			return state.refreshCalls;
		},
		get refreshSuccesses() {
			return state.refreshSuccesses;
		},
		get reuseDetections() {
			return state.reuseDetections;
		},
		get maxConcurrentRefreshes() {
			return state.maxConcurrentRefreshes;
		},
		get cookieSessionLogouts() {
			return state.cookieSessionLogouts;
		},
		requests,
		requestsTo(route) {
			return Object.values(requests[route] ?? {}).reduce((sum, count) => sum + count, 0);
		},
	};

	return {
		counters,
		increment(tally: Tally): void {
			state[tally]++;
		},
		/** Returns the call that marks the request finished. */
		tokenRequestStarted(): () => void {
			tokenRequestsInFlight++;
			state.maxConcurrentRefreshes = Math.max(state.maxConcurrentRefreshes, tokenRequestsInFlight);
			return () => {
				tokenRequestsInFlight--;
			};
		},
		recordResponse(route: RouteName, status: number): void {
			const byStatus = (requests[route] ??= {});
			byStatus[status] = (byStatus[status] ?? 0) + 1;
		},
		reset(): void {
			for (const key of Object.keys(state) as (keyof typeof state)[]) state[key] = 0;
			for (const route of Object.keys(requests)) delete requests[route];
			// Requests still hanging (an injected timeout) keep their place, so they are not reset here.
		},
	};
}

export type CounterControls = ReturnType<typeof createCounters>;
