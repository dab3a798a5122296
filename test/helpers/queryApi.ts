import { QueryClient, QueryObserver, type QueryObserverResult, type QueryKey } from "@tanstack/query-core";
import { http, HttpResponse, delay } from "msw";
import { createClient, memoryTokenStore, type Client, type ClientOptions, type TokenSet } from "../../src/index.js";
import { memoryStorage } from "./storage.js";

export const apiOrigin = "https://docs.example";

type Fault = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * An Outline-shaped API for the query bindings: `GET me`, `GET documents` and `GET documents/:id`, each answering
 * with the user its bearer token belongs to (in `x-user-id` too). `tokens` maps a token to its user; changing it
 * is what a portal does when someone else signs in. Every request is counted per path and user.
 */
export function createDocumentsApi() {
	const tokens = new Map<string, string>([["t-alice", "alice"]]);
	const requests: { path: string; user: string | undefined; status: number }[] = [];
	const faults = new Map<string, Fault>();
	const documents: Record<string, { id: string; title: string }[]> = {
		alice: [
			{ id: "a1", title: "Alice's plan" },
			{ id: "a2", title: "Alice's budget" },
		],
		bob: [{ id: "b1", title: "Bob's notes" }],
	};
	const handler = http.get(`${apiOrigin}/api/*`, async ({ request }) => {
		const path = new URL(request.url).pathname.replace(/^\/api\//, "");
		const user = tokens.get(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "");
		const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			requests.push({ path, user, status });
			return HttpResponse.json(body as Record<string, unknown>, { status, headers: { ...(user ? { "x-user-id": user } : {}), ...headers } });
		};
		await delay(1);
		if (!user) return answer(401, { error: "unauthorized" }, { "www-authenticate": 'Bearer error="invalid_token"' });
		const fault = faults.get(path);
		if (fault) return answer(fault.status, fault.body, fault.headers);
		if (path === "me") return answer(200, { id: user, name: user === "alice" ? "Alice Chen" : "Bob Rivera" });
		if (path === "documents") return answer(200, documents[user] ?? []);
		const doc = documents[user]?.find((candidate) => `documents/${candidate.id}` === path);
		return doc ? answer(200, doc) : answer(404, { message: "Document not found" });
	});
	return {
		handler,
		tokens,
		requests,
		faults,
		/** Requests since `from` (an index into `requests`) for `path`, answered to `user`. */
		count: (path: string, user?: string, from = 0) => requests.slice(from).filter((r) => r.path === path && (user === undefined || r.user === user)).length,
	};
}

export function documentsClient(tokens: TokenSet | null, overrides: Partial<ClientOptions> = {}): Client {
	return createClient({
		baseUrl: `${apiOrigin}/api/`,
		auth: { type: "bearer", store: memoryTokenStore(tokens) },
		identity: (response) => response.headers.get("x-user-id"),
		reauthenticate: () => new Promise(() => {}),
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0 },
		...overrides,
	});
}

/** A promise with its resolve, for a re-authentication the test finishes when it wants. */
export function held<T>() {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((done) => (resolve = done));
	return { promise, resolve };
}

/** What the screen shows at one moment: each mounted query's current result, by its path. */
export type Frame = Record<string, QueryObserverResult>;

/**
 * Components using `useQuery(key)`, without React: each is an observer, and a frame of all of them is recorded
 * whenever one is handed a new result (a render). As useQuery does on each render, the observer then resolves its
 * options again (`setOptions`), which moves it to a fresh query once its own has left the cache.
 */
export function createScreen(queryClient: QueryClient, client: Client) {
	const frames: Frame[] = [];
	const mounted = new Map<string, { observer: QueryObserver; unmount: () => void }>();
	const frame = (): Frame => Object.fromEntries([...mounted].map(([key, { observer }]) => [key, observer.getCurrentResult()]));
	return {
		frames,
		frame,
		mount(queryKey: QueryKey): void {
			const path = queryKey.join("/");
			const options = { queryKey, queryFn: ({ signal }: { signal: AbortSignal }) => client.get(path, { signal }) };
			const observer = new QueryObserver(queryClient, options);
			mounted.set(path, { observer, unmount: () => undefined });
			const unmount = observer.subscribe(() => {
				frames.push(frame());
				// An unmounted component does not render again.
				queueMicrotask(() => observer.hasListeners() && observer.setOptions(options));
			});
			mounted.set(path, { observer, unmount });
		},
		/** As a component tree replaced by a sign-in screen. */
		unmountAll(): void {
			for (const { unmount } of mounted.values()) unmount();
			mounted.clear();
		},
	};
}

/** Whether a frame shows any data of `user`. */
export const shows = (frame: Frame | undefined, user: string) => JSON.stringify(Object.values(frame ?? {}).map((result) => result.data ?? null)).toLowerCase().includes(user);
/** Whether a frame shows an error state. */
export const showsError = (frame: Frame) => Object.values(frame).some((result) => result.status === "error");

/** Waits until `check` holds, polling every few ms (at most `timeout`). */
export async function until(check: () => boolean, timeout = 5_000): Promise<void> {
	const end = Date.now() + timeout;
	while (!check()) {
		if (Date.now() > end) throw new Error("timed out waiting for a condition");
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

export const newQueryClient = (retry: number | boolean = 3) => new QueryClient({ defaultOptions: { queries: { retry, retryDelay: 0 }, mutations: { retry, retryDelay: 0 } } });
