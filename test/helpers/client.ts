import { vi } from "vitest";
import { createClient, memoryTokenStore, type ClientOptions, type TokenSet } from "../../src/index.js";
import { baseUrl, type createBackend } from "./backend.js";
import { memoryStorage } from "./storage.js";

type Backend = ReturnType<typeof createBackend>;

/** A bearer client wired to the test backend, with a reload guard that persists in memory and a spy for reauthenticate. */
export function bearerClient(backend: Backend, tokens: TokenSet | null, overrides: Partial<ClientOptions> = {}) {
	const store = memoryTokenStore(tokens);
	const reauthenticate = vi.fn<NonNullable<ClientOptions["reauthenticate"]>>(() => undefined);
	const guardStorage = memoryStorage();
	const client = createClient({
		baseUrl,
		auth: { type: "bearer", store, refresh: backend.refresh, refreshRetry: { limit: 2, delayMs: 5 } },
		reauthenticate,
		reloadGuard: { storage: guardStorage, history: null },
		tabs: false,
		ky: { retry: 0 },
		...overrides,
	});
	return { client, store, reauthenticate, guardStorage };
}
