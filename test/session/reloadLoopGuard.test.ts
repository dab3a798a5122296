import { describe, expect, it, vi } from "vitest";
import { AuthenticationError, createClient, memoryTokenStore, type ClientOptions, type StorageLike } from "../../src/index.js";
import { baseUrl, createBackend, settle } from "../helpers/backend.js";
import { useMswServer } from "../helpers/msw.js";
import { memoryHistory, memoryStorage, throwingStorage } from "../helpers/storage.js";

const server = useMswServer();

/** Each call is a page load: a fresh client on the same storage, as after `location.reload()`. */
function pageLoad(guard: NonNullable<ClientOptions["reloadGuard"]>) {
	const backend = createBackend();
	server.use(backend.handler);
	const reauthenticate = vi.fn();
	const client = createClient({
		baseUrl,
		auth: { type: "bearer", store: memoryTokenStore({ accessToken: "dead" }) },
		reauthenticate,
		reloadGuard: guard,
		tabs: false,
	});
	return { client, reauthenticate, backend };
}

async function failOnce(guard: NonNullable<ClientOptions["reloadGuard"]>) {
	const page = pageLoad(guard);
	const outcome = page.client.get("x").then(
		() => "resolved",
		(error: unknown) => error,
	);
	await settle();
	return { ...page, outcome };
}

describe("no loops", () => {
	it("should allow maxAttempts reloads within the window, then sign out with AuthenticationError", async () => {
		const storage = memoryStorage();
		const first = await failOnce({ storage, maxAttempts: 2 });
		const second = await failOnce({ storage, maxAttempts: 2 });
		const third = await failOnce({ storage, maxAttempts: 2 });
		expect(first.reauthenticate).toHaveBeenCalledTimes(1);
		expect(second.reauthenticate).toHaveBeenCalledTimes(1);
		expect(third.reauthenticate).not.toHaveBeenCalled();
		expect(await third.outcome).toBeInstanceOf(AuthenticationError);
		expect(third.client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "unauthorized" });
	});

	it("should forget attempts older than windowMs", async () => {
		vi.useFakeTimers({ toFake: ["Date"] });
		const storage = memoryStorage();
		await failOnce({ storage, maxAttempts: 1, windowMs: 60_000 });
		vi.setSystemTime(Date.now() + 61_000);
		const later = await failOnce({ storage, maxAttempts: 1, windowMs: 60_000 });
		expect(later.reauthenticate).toHaveBeenCalledTimes(1);
	});

	it("should not clear the count when a request succeeds in between: only windowMs does (issue 10)", async () => {
		const storage = memoryStorage();
		await failOnce({ storage, maxAttempts: 1, windowMs: 60_000 });
		const backend = createBackend();
		server.use(backend.handler);
		const good = createClient({
			baseUrl,
			auth: { type: "bearer", store: memoryTokenStore(backend.issue()) },
			reloadGuard: { storage, maxAttempts: 1 },
			tabs: false,
		});
		await good.get("x");
		expect(storage.data.size).toBe(1);
		const next = await failOnce({ storage, maxAttempts: 1 });
		expect(next.reauthenticate).not.toHaveBeenCalled();
		expect(next.client.session.getSnapshot().status).toBe("signedOut");
		// Once the window has passed, the next dead session may re-authenticate again.
		const later = await failOnce({ storage, maxAttempts: 1, windowMs: 0 });
		expect(later.reauthenticate).toHaveBeenCalledTimes(1);
	});

	it("should count in history.state when storage throws (Safari private mode)", async () => {
		const history = memoryHistory();
		const storage = throwingStorage();
		const first = await failOnce({ storage, history, maxAttempts: 1 });
		const second = await failOnce({ storage, history, maxAttempts: 1 });
		expect(first.reauthenticate).toHaveBeenCalledTimes(1);
		expect(second.reauthenticate).not.toHaveBeenCalled();
		expect(second.client.session.getSnapshot().status).toBe("signedOut");
	});

	it("should sign out rather than reload blindly when nothing can persist the count", async () => {
		const page = await failOnce({ storage: throwingStorage(), history: null });
		expect(page.reauthenticate).not.toHaveBeenCalled();
		expect(await page.outcome).toBeInstanceOf(AuthenticationError);
	});

	it("should survive a storage that returns garbage", async () => {
		const storage: StorageLike = { getItem: () => "{not json", setItem: () => {}, removeItem: () => {} };
		const page = await failOnce({ storage });
		expect(page.reauthenticate).toHaveBeenCalledTimes(1);
	});
});
