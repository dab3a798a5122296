// tokenflight's events as OpenTelemetry spans and metrics, with nothing but @opentelemetry/api: register any SDK and
// exporter in the app as usual. Every attribute comes from an event, so none carries a token, URL or body.
import { metrics, trace, SpanStatusCode, type Attributes, type Meter, type Tracer } from "@opentelemetry/api";
import type { EventStream, TokenflightEvent } from "tokenflight";

export type TelemetryOptions = {
	/** @default trace.getTracer("tokenflight") */
	tracer?: Tracer;
	/** @default metrics.getMeter("tokenflight") */
	meter?: Meter;
};

/**
 * Spans for what took time (a refresh, a stall, a wait for another tab's lock), each started back at its beginning;
 * counters and histograms for everything. Returns the unsubscribe.
 *
 * @example
 * const client = createClient({ … });
 * instrument(client.events);
 */
export function instrument(events: EventStream, options: TelemetryOptions = {}): () => void {
	const tracer = options.tracer ?? trace.getTracer("tokenflight");
	const meter = options.meter ?? metrics.getMeter("tokenflight");
	const refreshes = meter.createCounter("tokenflight.refresh", { description: "Token refreshes by outcome" });
	const refreshDuration = meter.createHistogram("tokenflight.refresh.duration", { unit: "ms" });
	const stalls = meter.createCounter("tokenflight.requests.stalled", { description: "Requests that waited for the session" });
	const stallWait = meter.createHistogram("tokenflight.requests.stall_wait", { unit: "ms", description: "Longest wait of a released stall" });
	const dedupe = meter.createCounter("tokenflight.dedupe.hits");
	const lockWait = meter.createHistogram("tokenflight.lock.wait", { unit: "ms", description: "Waits for another tab's refresh lock" });
	const loopGuard = meter.createCounter("tokenflight.loop_guard.tripped");
	const ended = meter.createCounter("tokenflight.session.ended");
	const challenges = meter.createCounter("tokenflight.challenges");
	const lifetime = meter.createCounter("tokenflight.lifetime");

	// A span for something that ended at `event.at` and lasted `durationMs`.
	const span = (name: string, event: TokenflightEvent, durationMs: number, attributes: Attributes, failed = false) => {
		const started = tracer.startSpan(name, { startTime: event.at - durationMs, attributes });
		if (failed) started.setStatus({ code: SpanStatusCode.ERROR });
		started.end(event.at);
	};
	let stalledSince: number | undefined;

	return events.subscribe((event) => {
		switch (event.type) {
			case "refresh.started":
				return;
			case "refresh.succeeded":
				refreshes.add(1, { outcome: "succeeded" });
				refreshDuration.record(event.durationMs, { outcome: "succeeded" });
				return span("tokenflight.refresh", event, event.durationMs, { "tokenflight.attempt": event.attempt });
			case "refresh.failed":
				refreshes.add(1, { outcome: "failed", reason: event.reason });
				refreshDuration.record(event.durationMs, { outcome: "failed" });
				return span("tokenflight.refresh", event, event.durationMs, { "tokenflight.attempt": event.attempt, "tokenflight.reason": event.reason }, true);
			case "requests.stalled":
				stalledSince ??= event.at;
				stalls.add(1);
				return;
			case "requests.released":
				stallWait.record(event.longestWaitMs, { outcome: event.outcome });
				span("tokenflight.stall", event, event.at - (stalledSince ?? event.at - event.longestWaitMs), { "tokenflight.requests": event.count, "tokenflight.outcome": event.outcome }, event.outcome === "failed");
				stalledSince = undefined;
				return;
			case "dedupe.hit":
				return dedupe.add(1);
			case "lock.waited":
			case "lock.stolen":
				lockWait.record(event.durationMs, { stolen: event.type === "lock.stolen" });
				return span("tokenflight.lock.wait", event, event.durationMs, { "tokenflight.stolen": event.type === "lock.stolen" });
			case "loopGuard.tripped":
				return loopGuard.add(1, { reason: event.reason });
			case "session.ended":
				return ended.add(1, { reason: event.reason, action: event.action });
			case "challenge":
				return challenges.add(1, { kind: event.kind });
			case "lifetime.warning":
				return lifetime.add(1, { event: "warning", kind: event.kind });
			case "lifetime.expired":
				return lifetime.add(1, { event: "expired", reason: event.reason });
		}
	});
}
