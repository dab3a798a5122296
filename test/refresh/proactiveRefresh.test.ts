import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBackend } from "../helpers/backend.js";
import { bearerClient } from "../helpers/client.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

beforeEach(() => {
	vi.useFakeTimers({ toFake: ["Date"] });
	vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
});
afterEach(() => vi.useRealTimers());

function jwt(claims: Record<string, unknown>): string {
	const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
	return `${encode({ alg: "none" })}.${encode(claims)}.sig`;
}

describe("proactive refresh", () => {
	it("should refresh a token within the leeway before sending the request", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		const { client } = bearerClient(backend, { ...tokens, expiresAt: Date.now() + 10_000 });
		await client.get("x");
		expect(backend.refresh).toHaveBeenCalledTimes(1);
		// No request ever left with the expiring token.
		expect(backend.seenAuthorization).toEqual(["Bearer at-2"]);
	});

	it("should not refresh a token outside the leeway", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		const { client } = bearerClient(backend, { ...tokens, expiresAt: Date.now() + 60_000 });
		await client.get("x");
		expect(backend.refresh).not.toHaveBeenCalled();
	});

	it("should honour refreshLeewayMs", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		const { client } = bearerClient(backend, { ...tokens, expiresAt: Date.now() + 60_000 }, { refreshLeewayMs: 90_000 });
		await client.get("x");
		expect(backend.refresh).toHaveBeenCalledTimes(1);
	});

	it("should read the expiry from a JWT's exp claim when expiresAt is absent", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		backend.issue();
		const { client } = bearerClient(backend, { accessToken: jwt({ exp: Date.now() / 1000 + 5 }), refreshToken: "rt-1" });
		await client.get("x");
		expect(backend.refresh).toHaveBeenCalledTimes(1);
	});

	it("should treat a malformed JWT as a token of unknown expiry", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const { client } = bearerClient(backend, { accessToken: "aGVsbG8.%%%.x", refreshToken: "rt-1" });
		backend.issue();
		await client.get("x");
		// Sent as is; the 401 it earns is what triggers the refresh.
		expect(backend.seenAuthorization[0]).toBe("Bearer aGVsbG8.%%%.x");
		expect(backend.refresh).toHaveBeenCalledTimes(1);
	});

	it("should send the still-valid token when a proactive refresh fails by network error", async () => {
		const backend = createBackend();
		server.use(backend.handler);
		const tokens = backend.issue();
		backend.refresh.mockRejectedValue(new TypeError("fetch failed"));
		const { client } = bearerClient(backend, { ...tokens, expiresAt: Date.now() + 10_000 }, {});
		await expect(client.get<{ path: string }>("x")).resolves.toMatchObject({ path: "/api/x" });
		expect(client.session.getSnapshot().status).not.toBe("signedOut");
	});
});
