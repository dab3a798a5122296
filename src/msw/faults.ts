import { HttpResponse } from "msw";
import { createLamportClock, isNewer } from "./lamportClock.js";
import type { LamportClock, Stamped } from "./lamportClock.js";
import { invalidTokenChallenge, oauthError, unauthorized } from "./responses.js";
import type { OAuthErrorCode } from "./responses.js";
import { routeNames } from "./routes.js";
import type { RouteName } from "./routes.js";
import { arrayOf, isCount, isRecord } from "./snapshotGuards.js";

/** `"network"`: the connection fails. `"timeout"`: no answer until the client gives up. A number: that HTTP status. */
export type Failure = "network" | "timeout" | number;

type QueuedFailure = { id: string; route: RouteName; failure: Failure; at: number };

/**
 * Failures queued by any instance (each stamped, which orders them), the ids of those already taken, and
 * latencies changed since the server was created (the last change wins).
 */
export type FaultsSnapshot = {
	queued: QueuedFailure[];
	taken: string[];
	latency: Partial<Record<RouteName, Stamped<number>>>;
};

function byStamp(a: QueuedFailure, b: QueuedFailure): number {
	return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function createFaults(initialLatency: Partial<Record<RouteName, number>>, clock: LamportClock = createLamportClock(), writer = "local") {
	let queued: QueuedFailure[] = [];
	// Taken ids are remembered: a failure another instance still lists as queued must not come back.
	const taken = new Set<string>();
	let latency: Partial<Record<RouteName, Stamped<number>>> = {};
	let sequence = 0;

	function clear(): void {
		queued = [];
		taken.clear();
		latency = {};
	}

	return {
		failNext(route: RouteName, failure: Failure, count = 1): void {
			if (!Number.isInteger(count) || count < 1) throw new RangeError(`failNext count must be a positive integer, got ${count}`);
			// The Response constructor only accepts these; failing here points at the test, not at a handler.
			if (typeof failure === "number" && !(Number.isInteger(failure) && failure >= 200 && failure <= 599)) {
				throw new RangeError(`failNext status must be an integer from 200 to 599, got ${failure}`);
			}
			for (let i = 0; i < count; i++) queued.push({ id: `${writer}.${sequence++}`, route, failure, at: clock.tick() });
		},
		take(route: RouteName): Failure | undefined {
			const index = queued.findIndex((entry) => entry.route === route);
			const entry = queued[index];
			if (!entry) return undefined;
			queued.splice(index, 1);
			taken.add(entry.id);
			return entry.failure;
		},
		latencyOf(route: RouteName): number {
			return latency[route]?.value ?? initialLatency[route] ?? 0;
		},
		setLatency(route: RouteName, ms: number): void {
			if (!(ms >= 0)) throw new RangeError(`latency must be a non-negative number of milliseconds, got ${ms}`);
			latency[route] = { value: ms, at: clock.tick(), by: writer };
		},
		reset: clear,
		clear,
		snapshot(): FaultsSnapshot {
			return { queued: queued.map((entry) => ({ ...entry })), taken: [...taken], latency: { ...latency } };
		},
		merge(snapshot: FaultsSnapshot): void {
			for (const id of snapshot.taken) taken.add(id);
			const known = new Set(queued.map((entry) => entry.id));
			for (const entry of snapshot.queued) {
				clock.observe(entry.at);
				if (!known.has(entry.id)) queued.push({ ...entry });
			}
			queued = queued.filter((entry) => !taken.has(entry.id)).sort(byStamp);
			for (const route of routeNames) {
				const incoming = snapshot.latency[route];
				if (!incoming) continue;
				clock.observe(incoming.at);
				const current = latency[route];
				if (!current || isNewer(incoming, current)) latency[route] = { ...incoming };
			}
		},
	};
}

function isFailure(value: unknown): value is Failure {
	return value === "network" || value === "timeout" || (typeof value === "number" && Number.isInteger(value) && value >= 200 && value <= 599);
}

function isRoute(value: unknown): value is RouteName {
	return (routeNames as readonly unknown[]).includes(value);
}

function isQueued(value: unknown): value is QueuedFailure {
	return isRecord(value) && typeof value.id === "string" && isRoute(value.route) && isFailure(value.failure) && isCount(value.at);
}

function isStampedLatency(value: unknown): value is Stamped<number> {
	return isRecord(value) && typeof value.value === "number" && value.value >= 0 && isCount(value.at) && typeof value.by === "string";
}

export function parseFaultsSnapshot(value: unknown): FaultsSnapshot | undefined {
	if (!isRecord(value) || !isRecord(value.latency)) return undefined;
	const queued = arrayOf(value.queued, isQueued);
	const taken = arrayOf(value.taken, (id): id is string => typeof id === "string");
	const latency: FaultsSnapshot["latency"] = {};
	for (const [route, stamped] of Object.entries(value.latency)) {
		if (!isRoute(route) || !isStampedLatency(stamped)) return undefined;
		latency[route] = stamped;
	}
	return queued && taken && { queued, taken, latency };
}

export type Faults = ReturnType<typeof createFaults>;

const oauthCodes: Partial<Record<number, OAuthErrorCode>> = { 400: "invalid_grant", 401: "invalid_client", 503: "temporarily_unavailable" };

/** An injected failure, shaped like the real error of that route so clients take their real code path. */
export async function failureResponse(route: RouteName, failure: Failure, signal: AbortSignal): Promise<Response> {
	if (failure === "timeout") {
		// No timer: the request only ends when the client aborts it, so nothing keeps the process or page busy.
		await new Promise<void>((resolve) => {
			if (signal.aborted) resolve();
			else signal.addEventListener("abort", () => resolve(), { once: true });
		});
		return HttpResponse.error();
	}
	if (failure === "network") return HttpResponse.error();
	if (route === "token" && failure >= 400) return oauthError(oauthCodes[failure] ?? "server_error", "Injected failure", failure);
	if (failure === 401) return unauthorized({ challenge: invalidTokenChallenge() });
	return HttpResponse.json({ error: "injected_failure" }, { status: failure });
}
