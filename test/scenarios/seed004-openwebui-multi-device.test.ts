// Seed 004, Open WebUI: each login deleted the user's other OAuth sessions, so signing in on a phone
// broke the desktop. With per-device sessions, two tokenflight clients refresh side by side and both stay signed in.
import { describe, expect, it } from "vitest";
import { browserProfile, useMockBackend } from "../helpers/scenario.js";

const { mock } = useMockBackend();

describe("seed 004: Open WebUI multi-device sessions", () => {
	it("should keep two devices signed in side by side through expiries and refreshes", async () => {
		const desktop = browserProfile();
		const phone = browserProfile();
		await desktop.signIn(mock.login("alice", { device: "desktop" }));
		const desktopPage = desktop.load();
		await desktopPage.client.post("auth.info");
		// Signing in on the phone must not end the desktop's session.
		await phone.signIn(mock.login("alice", { device: "phone" }));
		const phonePage = phone.load();
		for (let round = 0; round < 3; round++) {
			mock.expireAccessTokens();
			const [a, b] = await Promise.all([desktopPage.client.post<{ data: unknown[] }>("documents.list"), phonePage.client.post<{ data: unknown[] }>("documents.list")]);
			expect(a.data.length).toBeGreaterThan(0);
			expect(b.data.length).toBeGreaterThan(0);
		}
		expect(mock.counters.refreshCalls).toBe(6);
		expect(mock.counters.reuseDetections).toBe(0);
		expect(desktopPage.reauthenticate).not.toHaveBeenCalled();
		expect(phonePage.reauthenticate).not.toHaveBeenCalled();
		expect(desktopPage.client.session.getSnapshot()).toMatchObject({ status: "authenticated", identity: "alice" });
		expect(phonePage.client.session.getSnapshot()).toMatchObject({ status: "authenticated", identity: "alice" });
	});

	it("should leave the other device alone when one device's session is revoked", async () => {
		const desktop = browserProfile();
		const phone = browserProfile();
		const desktopLogin = mock.login("alice", { device: "desktop" });
		await desktop.signIn(desktopLogin);
		await phone.signIn(mock.login("alice", { device: "phone" }));
		mock.revokeSession(desktopLogin.sessionId);
		mock.expireAccessTokens();
		const phonePage = phone.load();
		await expect(phonePage.client.post("documents.list")).resolves.toBeTruthy();
		expect(phonePage.reauthenticate).not.toHaveBeenCalled();
	});
});
