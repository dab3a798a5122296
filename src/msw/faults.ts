import { HttpResponse } from "msw";
import { invalidTokenChallenge, oauthError, unauthorized } from "./responses.js";
import type { OAuthErrorCode } from "./responses.js";
import type { RouteName } from "./routes.js";

/** `"network"`: the connection fails. `"timeout"`: no answer until the client gives up. A number: that HTTP status. */
export type Failure = "network" | "timeout" | number;

export function createFaults(initialLatency: Partial<Record<RouteName, number>>) {
	const queued = new Map<RouteName, Failure[]>();
	let latency = { ...initialLatency };

	return {
		failNext(route: RouteName, failure: Failure, count = 1): void {
			if (!Number.isInteger(count) || count < 1) throw new RangeError(`failNext count must be a positive integer, got ${count}`);
			// The Response constructor only accepts these; failing here points at the test, not at a handler.
			if (typeof failure === "number" && !(Number.isInteger(failure) && failure >= 200 && failure <= 599)) {
				throw new RangeError(`failNext status must be an integer from 200 to 599, got ${failure}`);
			}
			const list = queued.get(route) ?? [];
			for (let i = 0; i < count; i++) list.push(failure);
			queued.set(route, list);
		},
		take(route: RouteName): Failure | undefined {
			return queued.get(route)?.shift();
		},
		latencyOf(route: RouteName): number {
			return latency[route] ?? 0;
		},
		setLatency(route: RouteName, ms: number): void {
			if (!(ms >= 0)) throw new RangeError(`latency must be a non-negative number of milliseconds, got ${ms}`);
			latency[route] = ms;
		},
		reset(): void {
			queued.clear();
			latency = { ...initialLatency };
		},
	};
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
