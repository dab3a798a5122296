import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import {
	createClient,
	oauthRefresh,
	storageTokenStore,
	type Client,
	type ClientOptions,
	type TokenSet,
} from "../../src/index.js";
import { createMockAuthServer, type MockAuthServerOptions } from "../../src/msw/index.js";
import { memoryStorage } from "./storage.js";

export const origin = "https://app.example";

/** The mock auth backend behind msw for a whole test file; state and handlers reset after each test. */
export function useMockBackend(options: MockAuthServerOptions = {}) {
	const mock = createMockAuthServer(options);
	const server = setupServer(...mock.handlers);
	beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
	afterEach(() => {
		server.resetHandlers();
		mock.reset();
	});
	afterAll(() => server.close());
	return { mock, server };
}

/**
 * A browser profile: its localStorage (tokens) and sessionStorage (the loop guard) outlive page loads.
 * `load()` is one page load: a fresh client on the same storages, as after `location.reload()`.
 */
export function browserProfile() {
	const localStorage = memoryStorage();
	const sessionStorage = memoryStorage();
	const store = storageTokenStore(localStorage, "tokens");
	const pages: Client[] = [];
	afterEach(() => pages.splice(0).forEach((page) => page.dispose()));

	function load(overrides: Partial<ClientOptions> = {}) {
		const reauthenticate = vi.fn<NonNullable<ClientOptions["reauthenticate"]>>(() => undefined);
		const client = createClient({
			baseUrl: `${origin}/api/`,
			auth: { type: "bearer", store, refresh: oauthRefresh({ tokenEndpoint: `${origin}/oauth/token`, clientId: "web" }) },
			identity: (response) => response.headers.get("x-user-id"),
			reauthenticate,
			reloadGuard: { storage: sessionStorage, history: null },
			tabs: false,
			...overrides,
		});
		pages.push(client);
		return { client, reauthenticate };
	}

	return {
		store,
		load,
		signIn: (tokens: TokenSet) => store.set({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt }),
	};
}

/**
 * Runs every promise to its end or to a stall, and reports which. Waits until every promise has settled or
 * `stalled()` says the rest are parked (bounded at 5 s), then a little longer so late rejections are seen.
 */
export async function outcomes<T>(promises: Promise<T>[], stalled: () => boolean = () => false) {
	const states = promises.map(() => ({ status: "pending" as "pending" | "fulfilled" | "rejected", error: undefined as unknown }));
	promises.forEach((promise, i) =>
		promise.then(
			() => void (states[i]!.status = "fulfilled"),
			(error: unknown) => Object.assign(states[i]!, { status: "rejected", error }),
		),
	);
	const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
	for (let waited = 0; waited < 5_000 && !stalled() && states.some((s) => s.status === "pending"); waited += 5) await sleep(5);
	await sleep(50);
	return {
		fulfilled: states.filter((s) => s.status === "fulfilled").length,
		rejected: states.filter((s) => s.status === "rejected").length,
		pending: states.filter((s) => s.status === "pending").length,
		errors: states.filter((s) => s.status === "rejected").map((s) => s.error),
	};
}

export const isReauthenticating = (client: Client) => () => client.session.getSnapshot().status === "reauthenticating";
