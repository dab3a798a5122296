// Shared by the adversarial review tests in test/review/. Nothing here touches src/.
import { vi } from "vitest";
import { createClient, type Client, type ClientOptions, type RefreshFunction, type TokenSet, type TokenStore } from "../../src/index.js";
import type { LockManagerLike } from "../../src/tabs/webLock.js";

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

export type Seen = { method: string; url: string; headers: Record<string, string>; body: string; request: Request };

/**
 * A fake `fetch` for `ky: { fetch }`: records every request exactly as tokenflight hands it over and answers through
 * `route`, which each test replaces.
 */
export function fakeFetch(route: (seen: Seen) => Response | Promise<Response> = () => Response.json({ ok: true })) {
	const seen: Seen[] = [];
	const state = { route };
	const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
		const request = input instanceof Request ? input : new Request(input, init);
		const body = request.body ? await request.clone().text() : "";
		const entry: Seen = { method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body, request };
		seen.push(entry);
		return state.route(entry);
	}) as unknown as typeof globalThis.fetch;
	return { fetch, seen, state };
}

/** An in-memory Storage for the loop guard. */
export function memoryStorage() {
	const data = new Map<string, string>();
	return {
		data,
		getItem: (key: string) => data.get(key) ?? null,
		setItem: (key: string, value: string) => void data.set(key, String(value)),
		removeItem: (key: string) => void data.delete(key),
	};
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

/**
 * A refresh function that ignores its signal (axios without one, a hand-rolled XHR): each call stays pending until the
 * test settles it. `events` records calls and settlements in order.
 */
export function signalIgnoringRefresh() {
	type Call = { refreshToken: string | undefined; resolve(tokens: TokenSet): void; reject(error: unknown): void };
	const calls: Call[] = [];
	const events: string[] = [];
	const refresh = vi.fn<RefreshFunction>(
		({ refreshToken }) =>
			new Promise<TokenSet>((resolve, reject) => {
				const n = calls.length + 1;
				events.push(`call ${n} (${refreshToken})`);
				calls.push({
					refreshToken,
					resolve: (tokens) => {
						events.push(`settled ${n}`);
						resolve(tokens);
					},
					reject: (error) => {
						events.push(`settled ${n}`);
						reject(error);
					},
				});
			}),
	);
	return { refresh, calls, events };
}

/**
 * A bearer client as one tab would make it, with the README's defaults (refreshTimeoutMs 10 s, 2 retries): the API
 * answers 401 to the access tokens in `dead` ("" stands for no token) and 200 to any other. `locks: null` turns tabs
 * off. The client goes into `clients`, for the test file's afterEach to dispose.
 */
export function bearerTab(
	clients: Client[],
	options: { locks: LockManagerLike | null; store: TokenStore; refresh: RefreshFunction; dead?: readonly string[]; extra?: Partial<ClientOptions> },
) {
	const dead = new Set(options.dead ?? ["at-1", ""]);
	const api = fakeFetch((seen) => (dead.has((seen.headers.authorization ?? "").replace(/^Bearer /, "")) ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
	const client = createClient({
		baseUrl: "https://app.example/api/",
		auth: { type: "bearer", store: options.store, refresh: options.refresh },
		tabs: options.locks ? { locks: options.locks, channel: null, visibility: null } : false,
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		ky: { fetch: api.fetch, retry: 0 },
		...options.extra,
	});
	clients.push(client);
	return { client, api };
}
