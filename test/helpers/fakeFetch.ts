import { vi } from "vitest";
import { createClient, type Client, type ClientOptions } from "../../src/index.js";
import { memoryStorage } from "./storage.js";

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

/**
 * A client over a fake `fetch` as most tests make one: on https://app.example/api/, tabs off, an in-memory loop guard,
 * no ky retries. It joins `clients`, which the test file's afterEach disposes.
 */
export function fakeFetchClient(clients: Client[], fetch: typeof globalThis.fetch, options: Partial<ClientOptions> & Pick<ClientOptions, "auth">): Client {
	const { ky, ...rest } = options;
	const client = createClient({
		baseUrl: "https://app.example/api/",
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		...rest,
		ky: { ...ky, fetch, retry: 0 },
	});
	clients.push(client);
	return client;
}

/**
 * The fields of a multipart/form-data request (a file as `file:<name>:<type>:<text>`, so a test can compare it as a
 * string), read from a clone; undefined for any other body.
 */
export async function formFields(request: Request): Promise<Record<string, string> | undefined> {
	if (!request.headers.get("content-type")?.startsWith("multipart/form-data")) return undefined;
	const form: Record<string, string> = {};
	for (const [name, value] of await request.clone().formData()) {
		form[name] = typeof value === "string" ? value : `file:${value.name}:${value.type}:${await value.text()}`;
	}
	return form;
}
