import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

/** One msw server per test file; an unhandled request fails the test instead of reaching the network. */
export function useMswServer() {
	const server = setupServer();
	beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
	afterEach(() => server.resetHandlers());
	afterAll(() => server.close());
	return server;
}
