import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import ApiClient, { type Options } from "../../examples/outline/ApiClient.js";
import type { AuthStoreEnv } from "../../examples/outline/AuthStore.js";
import { createMockOutlineServer, type MockOutlineServer, type MockOutlineServerOptions } from "../fixtures/outline/mockOutlineServer.js";
import { pageCookieJar } from "./pageFetch.js";
import { memoryStorage } from "./storage.js";

export { outcomes } from "./scenario.js";

export const origin = "https://app.example";

/** Outline's API (test/fixtures/outline) behind msw for a whole test file; reset after each test. */
export function useOutlineBackend(options: MockOutlineServerOptions = {}) {
	const { mocks, server } = outlineBackends([options]);
	return { mock: mocks[0]!, server };
}

/** Several Outline deployments (distinct origins) behind one msw server. */
export function useOutlineBackends(...list: MockOutlineServerOptions[]): MockOutlineServer[] {
	return outlineBackends(list).mocks;
}

function outlineBackends(list: MockOutlineServerOptions[]) {
	const mocks = list.map((options) => createMockOutlineServer({ origin, ...options }));
	const server = setupServer(...mocks.flatMap((mock) => mock.handlers));
	beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
	afterEach(() => {
		server.resetHandlers();
		for (const mock of mocks) mock.reset();
	});
	afterAll(() => server.close());
	return { mocks, server };
}

/**
 * One browser tab: its cookie jar and sessionStorage (the loop guard) outlive page loads; `location.reload` is a
 * spy (nothing navigates). `load()` is a page load: the SPA's HTML (CSRF cookie; under SSO the portal user's
 * session), then a new ApiClient, as after `location.reload()`.
 */
export function browser(mock: MockOutlineServer) {
	const page = pageCookieJar();
	const sessionStorage = memoryStorage();
	const location = { reload: vi.fn(), pathname: "/doc/welcome-doc_1", search: "?focus=1" };
	const clients: ApiClient[] = [];
	afterEach(() => clients.splice(0).forEach((client) => client.client.dispose()));

	async function load(options: Options = {}): Promise<ApiClient> {
		await page.fetch(mock.pageUrl);
		const client = new ApiClient({
			baseUrl: `${mock.team.url}/api`,
			location,
			readCookie: page.read,
			reloadGuard: { storage: sessionStorage, history: null },
			tabs: false,
			ky: { fetch: page.fetch },
			...options,
		});
		clients.push(client);
		return client;
	}

	return {
		page,
		location,
		load,
		/** A sign-in outside the SPA (Outline's /auth/redirect sets the cookie). */
		signIn: (userId: string) => void page.jar.set("accessToken", mock.login(userId).accessToken),
	};
}

/** AuthStore's browser dependencies, as spies. */
export function authEnv(location: AuthStoreEnv["location"]) {
	return { setPostLoginPath: vi.fn<(path: string) => void>(), deleteAllDatabases: vi.fn(async () => {}), location };
}

export type Envelope<T> = { data: T; pagination?: { limit: number; offset: number; nextPath: string }; policies?: { id: string; abilities: Record<string, boolean> }[]; status: number; ok: boolean };
export type Doc = { id: string; title: string; url: string; text?: string; data?: unknown };
