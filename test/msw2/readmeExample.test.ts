import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, createClient, memoryTokenStore, oauthRefresh, type Client } from "../../src/index.js";
import { createMockAuthServer } from "../../src/msw/index.js";

// The README's `tokenflight/msw` example and its 401 paths. The msw2 project (vitest.config.ts) runs this file (and test/msw/)
// with `msw` aliased to the `msw2` devDependency (npm:msw@^2), the lowest msw major our peer range allows; the
// main config runs it on msw 3. Each test has a short timeout: a request that never settles fails, not hangs.
const expectedMswMajor = process.env.TOKENFLIGHT_EXPECT_MSW_MAJOR;
const timeout = 5_000;
const origin = "https://app.example";

const mock = createMockAuthServer({ origin, accessTokenTtlMs: 60_000 });
const server = setupServer(...mock.handlers);
// msw 3 names the unhandled-request policy `onUnhandledFrame`, msw 2 `onUnhandledRequest`: pass both, so that an
// unhandled request fails the test on either major instead of reaching the network.
const failOnUnhandled = { onUnhandledFrame: "error", onUnhandledRequest: "error" } as const;
const clients: Client[] = [];
beforeAll(() => server.listen(failOnUnhandled));
afterEach(() => {
	clients.splice(0).forEach((client) => client.dispose());
	mock.reset();
});
afterAll(() => server.close());

function client(withRefresh: boolean) {
	const created = createClient({
		baseUrl: `${origin}/api/`,
		tabs: false,
		reloadGuard: { storage: null, history: null },
		auth: {
			type: "bearer",
			store: memoryTokenStore(mock.login("alice")),
			...(withRefresh ? { refresh: oauthRefresh({ tokenEndpoint: `${origin}/oauth/token`, clientId: "web" }) } : {}),
		},
	});
	clients.push(created);
	return created;
}

describe(`tokenflight/msw README example (msw ${expectedMswMajor ?? "as installed"})`, () => {
	it.runIf(expectedMswMajor !== undefined)(
		"runs on the msw major it was asked for",
		async () => {
			const require = createRequire(import.meta.url);
			const { version } = JSON.parse(readFileSync(require.resolve("msw2/package.json"), "utf8")) as { version: string };
			expect(version.split(".")[0]).toBe(expectedMswMajor);
			// What `msw` resolves to here (and in src/msw, whose handlers these are) is the msw2 package itself.
			// Imported only here, so that the main config (msw 3) never loads a second msw.
			const msw2 = await import("msw2");
			expect(http).toBe(msw2.http);
			expect(mock.handlers[0]).toBeInstanceOf(msw2.RequestHandler);
		},
		timeout,
	);

	it(
		"answers an authenticated request (no 401)",
		async () => {
			const documents = await client(true).post<{ data: unknown[] }>("documents.list");
			expect(Array.isArray(documents.data)).toBe(true);
		},
		timeout,
	);

	it(
		"keeps the document list on screen when the token expires: two concurrent 401s, one refresh",
		async () => {
			const api = client(true);
			mock.expireAccessTokens();
			await Promise.all([api.post("documents.list"), api.post("auth.info")]);
			expect(mock.counters.refreshCalls).toBe(1);
			expect(mock.counters.refreshSuccesses).toBe(1);
		},
		timeout,
	);

	it(
		"rejects two concurrent 401s with AuthenticationError when no refresh is configured",
		async () => {
			const api = client(false);
			mock.expireAccessTokens();
			const results = await Promise.allSettled([api.post("documents.list"), api.post("auth.info")]);
			expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
			for (const result of results) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(AuthenticationError);
			expect(mock.counters.refreshCalls).toBe(0);
		},
		timeout,
	);
});
