import type { Attributes, Meter, Tracer } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { instrument } from "../../examples/otel/telemetry.js";
import { createEventHub } from "../../src/events/events.js";

/** A tracer and a meter that record what they were given. */
function recorder() {
	const spans: { name: string; start: unknown; end: unknown; attributes: Attributes | undefined; status?: unknown }[] = [];
	const points: { instrument: string; value: number; attributes: Attributes | undefined }[] = [];
	const tracer = {
		startSpan(name: string, options: { startTime?: unknown; attributes?: Attributes }) {
			const span: (typeof spans)[number] = { name, start: options.startTime, end: undefined, attributes: options.attributes };
			spans.push(span);
			return { setStatus: (status: unknown) => void (span.status = status), end: (at: unknown) => void (span.end = at) };
		},
	} as unknown as Tracer;
	const record = (name: string) => (value: number, attributes?: Attributes) => void points.push({ instrument: name, value, attributes });
	const meter = {
		createCounter: (name: string) => ({ add: record(name) }),
		createHistogram: (name: string) => ({ record: record(name) }),
	} as unknown as Meter;
	return { tracer, meter, spans, points };
}

describe("examples/otel", () => {
	it("should turn a refresh into a span that starts when the refresh did, and count it", () => {
		let now = 10_000;
		const hub = createEventHub(() => now);
		const otel = recorder();
		instrument(hub.stream, otel);
		hub.emit({ type: "refresh.started", attempt: 1 });
		now = 10_250;
		hub.emit({ type: "refresh.failed", attempt: 1, durationMs: 250, reason: "network" });
		expect(otel.spans).toEqual([
			{ name: "tokenflight.refresh", start: 10_000, end: 10_250, attributes: { "tokenflight.attempt": 1, "tokenflight.reason": "network" }, status: { code: 2 } },
		]);
		expect(otel.points).toContainEqual({ instrument: "tokenflight.refresh", value: 1, attributes: { outcome: "failed", reason: "network" } });
		expect(otel.points).toContainEqual({ instrument: "tokenflight.refresh.duration", value: 250, attributes: { outcome: "failed" } });
	});

	it("should give a stall a span from its first stalled request to its release, and record lock waits and counts", () => {
		let now = 0;
		const hub = createEventHub(() => now);
		const otel = recorder();
		instrument(hub.stream, otel);
		hub.emit({ type: "requests.stalled", count: 1 });
		now = 400;
		hub.emit({ type: "requests.stalled", count: 2 });
		now = 1_000;
		hub.emit({ type: "requests.released", count: 2, longestWaitMs: 1_000, outcome: "sent" });
		hub.emit({ type: "lock.stolen", durationMs: 5_000 });
		hub.emit({ type: "session.ended", reason: "unauthorized", action: "reauthenticate" });
		hub.emit({ type: "lifetime.expired", reason: "idle" });
		expect(otel.spans.map(({ name, start, end }) => [name, start, end])).toEqual([
			["tokenflight.stall", 0, 1_000],
			["tokenflight.lock.wait", -4_000, 1_000],
		]);
		expect(otel.points.filter((point) => point.instrument === "tokenflight.requests.stalled")).toHaveLength(2);
		expect(otel.points).toContainEqual({ instrument: "tokenflight.session.ended", value: 1, attributes: { reason: "unauthorized", action: "reauthenticate" } });
		expect(otel.points).toContainEqual({ instrument: "tokenflight.lifetime", value: 1, attributes: { event: "expired", reason: "idle" } });
	});
});
