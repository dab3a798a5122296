import { vi } from "vitest";
import { createClient, type Client, type ClientOptions, type RefreshFunction, type TokenSet, type TokenStore } from "../../src/index.js";
import type { LockManagerLike } from "../../src/tabs/webLock.js";
import { fakeFetch } from "./fakeFetch.js";
import { memoryStorage } from "./storage.js";

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
