import { vi } from "vitest";

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
