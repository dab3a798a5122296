// Seed 003, RomM: refresh tokens are now consumed and rotated on every refresh, and a reused one is
// rejected. A client that refreshes once per 401 presents the same refresh token many times and gets the
// whole family revoked. tokenflight sends each refresh token once, whatever the concurrency.
import { describe, expect, it } from "vitest";
import { browserProfile, useMockBackend } from "../helpers/scenario.js";

const { mock } = useMockBackend({ latency: { token: 20, "documents.list": 5 } });

describe("seed 003: RomM refresh-token rotation", () => {
	it("should serve 100 concurrent requests across two rotations with 2 refreshes and 0 reuse detections", async () => {
		const profile = browserProfile();
		await profile.signIn(mock.login("alice"));
		const page = profile.load();
		// Two waves of 50 concurrent requests, each meeting an expired access token.
		mock.expireAccessTokens();
		const first = await Promise.all(Array.from({ length: 50 }, () => page.client.post("documents.list")));
		mock.expireAccessTokens();
		const second = await Promise.all(Array.from({ length: 50 }, () => page.client.post("documents.list")));
		const results = [...first, ...second];
		expect(results).toHaveLength(100);
		expect(mock.counters.refreshCalls).toBe(2);
		expect(mock.counters.reuseDetections).toBe(0);
		expect(mock.counters.maxConcurrentRefreshes).toBe(1);
		expect(page.reauthenticate).not.toHaveBeenCalled();
	});

	it("should tell the difference: one refresh per 401 reuses the token and loses the family", async () => {
		const { refreshToken } = mock.login("alice");
		const refresh = () =>
			fetch("https://app.example/oauth/token", {
				method: "POST",
				body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: "web" }),
			});
		const statuses = await Promise.all(Array.from({ length: 5 }, async () => (await refresh()).status));
		expect(statuses.filter((status) => status === 200)).toHaveLength(1);
		expect(mock.counters.reuseDetections).toBe(4);
	});
});
