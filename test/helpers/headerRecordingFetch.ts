// A fake network for `ky: { fetch }` that records the credentials each request carried (Authorization, CSRF header,
// credentials mode) and answers through a handler; answers a test releases by hand come from `deferred()`.
import { afterEach, vi } from "vitest";
import { createClient, type Client, type ClientOptions } from "../../src/index.js";
import { memoryStorage } from "./storage.js";

export const origin = "https://app.example";
export const baseUrl = `${origin}/api/`;
export const foreign = "https://evil.example";

export type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void };

export function deferred<T = void>(): Deferred<T> {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

export type Seen = {
	method: string;
	url: string;
	path: string;
	origin: string;
	authorization: string | null;
	csrf: string | null;
	credentials: RequestCredentials;
};

/** A fake network for `ky: { fetch }`: records what each request carried, answers with `handler`. */
export function fakeServer(handler: (request: Request, seen: Seen) => Response | Promise<Response>) {
	const seen: Seen[] = [];
	const fetch: typeof globalThis.fetch = async (input, init) => {
		const request = new Request(input, init);
		const url = new URL(request.url);
		const entry: Seen = {
			method: request.method,
			url: request.url,
			path: url.pathname,
			origin: url.origin,
			authorization: request.headers.get("authorization"),
			csrf: request.headers.get("x-csrf-token"),
			credentials: request.credentials,
		};
		seen.push(entry);
		return handler(request, entry);
	};
	return { fetch, seen };
}

export const json = (body: unknown, init: ResponseInit = {}) => Response.json(body, init);
export const unauthorized = () => json({ error: "authentication_required" }, { status: 401 });

/**
 * `client(fetch, options)` for one test file: a client on `baseUrl` with tabs off, an in-memory loop guard and no ky
 * retries; every client is disposed (and stubbed globals restored) after each test.
 */
export function useFakeServerClients() {
	const clients: Client[] = [];
	afterEach(() => {
		clients.splice(0).forEach((client) => client.dispose());
		vi.unstubAllGlobals();
	});
	return function client(fetch: typeof globalThis.fetch, options: Partial<ClientOptions> & Pick<ClientOptions, "auth">) {
		const { ky, ...rest } = options;
		const created = createClient({
			baseUrl,
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
			...rest,
			ky: { retry: 0, ...ky, fetch },
		});
		clients.push(created);
		return created;
	};
}
