import type { RouteName } from "./routes.js";
import { isCount, isRecord } from "./snapshotGuards.js";

export type MockAuthCounters = {
	/** Every POST to the token endpoint with `grant_type=refresh_token`, injected failures included. */
	readonly refreshCalls: number;
	readonly refreshSuccesses: number;
	readonly reuseDetections: number;
	/**
	 * The most token-endpoint requests in flight at once, latency included. With persistence, each instance
	 * (page) counts its own requests in flight and the highest count any instance saw is reported.
	 */
	readonly maxConcurrentRefreshes: number;
	/** Cookie sessions ended because a bearer request carried their `sid` cookie without the CSRF header. */
	readonly cookieSessionLogouts: number;
	/** Responses per route per status; status 0 is an injected network error or timeout. */
	readonly requests: Readonly<Record<string, Readonly<Record<number, number>>>>;
	requestsTo(route: RouteName): number;
};

type Tallies = { refreshCalls: number; refreshSuccesses: number; reuseDetections: number; maxConcurrentRefreshes: number; cookieSessionLogouts: number };
type Tally = Exclude<keyof Tallies, "maxConcurrentRefreshes">;
const tallyNames = ["refreshCalls", "refreshSuccesses", "reuseDetections", "maxConcurrentRefreshes", "cookieSessionLogouts"] as const;

/** What one instance counted. */
export type CounterSlot = Tallies & { requests: Record<string, Record<string, number>> };

/**
 * One slot per instance that ever counted, each written only by its instance: totals are sums (a maximum for
 * `maxConcurrentRefreshes`), and merging keeps the larger value of each field, so no count is ever lost.
 */
export type CountersSnapshot = Record<string, CounterSlot>;

function emptySlot(): CounterSlot {
	return { refreshCalls: 0, refreshSuccesses: 0, reuseDetections: 0, maxConcurrentRefreshes: 0, cookieSessionLogouts: 0, requests: {} };
}

/**
 * Live counters for tests to read, plus the hooks the handlers use to update them. `slotId` names this
 * instance's slot; `beforeRead` runs before each read, so a persisted backend shows what every instance counted.
 */
export function createCounters(slotId = "local", beforeRead: () => void = () => {}) {
	const slots = new Map<string, CounterSlot>();
	// One object for the life of the server: a test may hold on to `counters.requests` and read it again later.
	const totals: Record<string, Record<number, number>> = {};
	let tokenRequestsInFlight = 0;

	function own(): CounterSlot {
		let slot = slots.get(slotId);
		if (!slot) {
			slot = emptySlot();
			slots.set(slotId, slot);
		}
		return slot;
	}

	function total(name: keyof Tallies): number {
		beforeRead();
		let sum = 0;
		for (const slot of slots.values()) sum = name === "maxConcurrentRefreshes" ? Math.max(sum, slot[name]) : sum + slot[name];
		return sum;
	}

	function requestTotals(): Record<string, Record<number, number>> {
		beforeRead();
		for (const route of Object.keys(totals)) delete totals[route];
		for (const slot of slots.values()) {
			for (const [route, byStatus] of Object.entries(slot.requests)) {
				const sum = (totals[route] ??= {});
				for (const [status, count] of Object.entries(byStatus)) sum[Number(status)] = (sum[Number(status)] ?? 0) + count;
			}
		}
		return totals;
	}

	const counters: MockAuthCounters = {
		get refreshCalls() {
			return total("refreshCalls");
		},
		get refreshSuccesses() {
			return total("refreshSuccesses");
		},
		get reuseDetections() {
			return total("reuseDetections");
		},
		get maxConcurrentRefreshes() {
			return total("maxConcurrentRefreshes");
		},
		get cookieSessionLogouts() {
			return total("cookieSessionLogouts");
		},
		get requests() {
			return requestTotals();
		},
		requestsTo(route) {
			return Object.values(requestTotals()[route] ?? {}).reduce((sum, count) => sum + count, 0);
		},
	};

	return {
		counters,
		increment(tally: Tally): void {
			own()[tally]++;
		},
		/** Returns the call that marks the request finished. */
		tokenRequestStarted(): () => void {
			tokenRequestsInFlight++;
			const slot = own();
			slot.maxConcurrentRefreshes = Math.max(slot.maxConcurrentRefreshes, tokenRequestsInFlight);
			return () => {
				tokenRequestsInFlight--;
			};
		},
		recordResponse(route: RouteName, status: number): void {
			const byStatus = (own().requests[route] ??= {});
			byStatus[status] = (byStatus[status] ?? 0) + 1;
		},
		/** Requests still hanging (an injected timeout) keep their place in flight, so that count is not reset. */
		reset(): void {
			slots.clear();
		},
		clear(): void {
			slots.clear();
		},
		snapshot(): CountersSnapshot {
			const copy: CountersSnapshot = {};
			for (const [id, slot] of slots) {
				const requests: Record<string, Record<string, number>> = {};
				for (const [route, byStatus] of Object.entries(slot.requests)) requests[route] = { ...byStatus };
				copy[id] = { ...slot, requests };
			}
			return copy;
		},
		merge(snapshot: CountersSnapshot): void {
			for (const [id, incoming] of Object.entries(snapshot)) {
				const slot = slots.get(id) ?? emptySlot();
				slots.set(id, slot);
				for (const name of tallyNames) slot[name] = Math.max(slot[name], incoming[name]);
				for (const [route, byStatus] of Object.entries(incoming.requests)) {
					const mine = (slot.requests[route] ??= {});
					for (const [status, count] of Object.entries(byStatus)) mine[status] = Math.max(mine[status] ?? 0, count);
				}
			}
		},
	};
}

export type CounterControls = ReturnType<typeof createCounters>;

function isSlot(value: unknown): value is CounterSlot {
	if (!isRecord(value) || !tallyNames.every((name) => isCount(value[name])) || !isRecord(value.requests)) return false;
	return Object.values(value.requests).every((byStatus) => isRecord(byStatus) && Object.values(byStatus).every(isCount));
}

export function parseCountersSnapshot(value: unknown): CountersSnapshot | undefined {
	return isRecord(value) && Object.values(value).every(isSlot) ? (value as CountersSnapshot) : undefined;
}
