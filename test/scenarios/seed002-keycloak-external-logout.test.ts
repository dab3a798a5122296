// Seed 002, Keycloak + NextAuth: a logout at the IdP leaves the app holding dead tokens. The refresh answers
// invalid_grant; the app redirects to sign in, but the stale session survives the redirect and the user
// loops. tokenflight re-authenticates once per page, and its persisted guard ends the loop signed out.
import { describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/index.js";
import { browserProfile, isReauthenticating, outcomes, useMockBackend } from "../helpers/scenario.js";

const { mock } = useMockBackend();

async function pageLoadAfterLogout(profile: ReturnType<typeof browserProfile>) {
	const page = profile.load();
	const requests = Array.from({ length: 5 }, () => page.client.post("documents.list"));
	const result = await outcomes(requests, () => {
		const { status } = page.client.session.getSnapshot();
		return status === "reauthenticating" || status === "signedOut";
	});
	return { ...page, result };
}

describe("seed 002: Keycloak external logout", () => {
	it("should re-authenticate once, with no request rejected, when the IdP logs the user out", async () => {
		const profile = browserProfile();
		await profile.signIn(mock.login("alice"));
		mock.expireAccessTokens();
		mock.logoutEverywhere("alice");
		const page = await pageLoadAfterLogout(profile);
		expect(page.reauthenticate).toHaveBeenCalledExactlyOnceWith("refresh-failed");
		expect(page.result).toMatchObject({ rejected: 0, pending: 5 });
		// One refresh for five requests: the dead refresh token is presented once.
		expect(mock.counters.refreshCalls).toBe(1);
	});

	it("should stop the loop after maxAttempts (2) reloads and end signed out with AuthenticationError", async () => {
		const profile = browserProfile();
		await profile.signIn(mock.login("alice"));
		mock.expireAccessTokens();
		mock.logoutEverywhere("alice");
		// The sign-in redirect hands back the same stale session every time (the NextAuth bug), so each page fails again.
		const pages = [await pageLoadAfterLogout(profile), await pageLoadAfterLogout(profile), await pageLoadAfterLogout(profile)];
		expect(pages.map((page) => page.reauthenticate.mock.calls.length)).toEqual([1, 1, 0]);
		const last = pages[2]!;
		expect(last.client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "refresh-failed" });
		expect(last.result.rejected).toBe(5);
		expect(last.result.errors.every((error) => error instanceof AuthenticationError)).toBe(true);
	});

	it("should start a fresh budget once the user is really signed in again", async () => {
		const profile = browserProfile();
		await profile.signIn(mock.login("alice"));
		mock.expireAccessTokens();
		mock.logoutEverywhere("alice");
		await pageLoadAfterLogout(profile);
		// A real sign-in this time.
		await profile.signIn(mock.login("alice"));
		const healthy = profile.load();
		await healthy.client.post("documents.list");
		mock.logoutEverywhere("alice");
		mock.expireAccessTokens();
		const later = profile.load();
		void later.client.post("documents.list").catch(() => {});
		await outcomes([], isReauthenticating(later.client));
		await outcomes([later.client.post("auth.info")], isReauthenticating(later.client));
		expect(later.reauthenticate).toHaveBeenCalledTimes(1);
	});
});
