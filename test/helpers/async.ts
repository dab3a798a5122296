// Waiting on promises and process events in tests, and disposing the clients a test made.
import { afterEach, vi } from "vitest";
import type { Client } from "../../src/index.js";

/** Tracks whether a promise has settled, without awaiting it (and without leaving a rejection unhandled). */
export function track<T>(promise: Promise<T>) {
	const state: { status: "pending" | "fulfilled" | "rejected"; value?: T; error?: unknown } = { status: "pending" };
	promise.then(
		(value) => Object.assign(state, { status: "fulfilled", value }),
		(error: unknown) => Object.assign(state, { status: "rejected", error }),
	);
	return state;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `state` is no longer pending. */
export async function settledWithin(state: { status: string }, ms = 1_000): Promise<void> {
	for (let waited = 0; state.status === "pending" && waited < ms; waited += 10) await sleep(10);
}

/** Lets pending promise chains (and msw's async handlers) settle. */
export async function settle(rounds = 20): Promise<void> {
	for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Captures unhandled promise rejections for the duration of `body`, with vitest's own handler set aside so that a
 * rejection the library leaves unhandled is asserted on by the test instead of failing an unrelated one.
 */
export function captureUnhandled(body: (rejections: unknown[]) => Promise<void>): Promise<void> {
	return captureProcessEvent("unhandledRejection", body);
}

/** The same for uncaught exceptions: an app callback's error that tokenflight rethrows in a microtask. */
export function captureUncaught(body: (errors: unknown[]) => Promise<void>): Promise<void> {
	return captureProcessEvent("uncaughtException", body);
}

async function captureProcessEvent(event: "unhandledRejection" | "uncaughtException", body: (seen: unknown[]) => Promise<void>): Promise<void> {
	const seen: unknown[] = [];
	const saved = process.listeners(event as "uncaughtException");
	process.removeAllListeners(event);
	const capture = (reason: unknown) => void seen.push(reason);
	process.on(event as "uncaughtException", capture);
	try {
		await body(seen);
	} finally {
		await sleep(20);
		process.off(event as "uncaughtException", capture);
		for (const listener of saved) process.on(event as "uncaughtException", listener as (error: Error) => void);
	}
}

/** The clients of one test file: each is disposed after its test, and real timers come back. */
export function disposedAfterEach(): Client[] {
	const clients: Client[] = [];
	afterEach(() => {
		clients.splice(0).forEach((client) => client.dispose());
		vi.useRealTimers();
	});
	return clients;
}
