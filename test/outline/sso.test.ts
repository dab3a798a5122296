// Seed 001 on the real shape: Outline's SSO fork behind an auth proxy. After "log out of all apps" and a sign-in
// as someone else at the portal, every request in flight answers 401 (the fork's mismatch check, which clears the
// cookie) or the proxy's 302 to an HTML page. Upstream's fork reloaded once per request and threw each time; the
// ApiClient on tokenflight reloads once and keeps every request pending, and the reloaded page is the new user.
import { describe, expect, it } from "vitest";
import type ApiClient from "../../examples/outline/ApiClient.js";
import { browser, outcomes, useOutlineBackend, type Envelope } from "../helpers/outline.js";

const { mock } = useOutlineBackend({ sso: true, latencyMs: 5 });

/** What a first render fires: lists, infos, a save — ten requests in flight. */
const tenInFlight = (client: ApiClient) =>
	Array.from({ length: 10 }, (_, i) =>
		[
			() => client.post("/documents.list", { limit: 25, offset: i }),
			() => client.post("/auth.info"),
			() => client.post("/documents.info", { id: "doc_1" }),
			() => client.post("/documents.update", { id: "doc_2", title: `Draft ${i}` }),
		][i % 4]!(),
	);

const isReauthenticating = (client: ApiClient) => () => client.client.session.getSnapshot().status === "reauthenticating";

describe("seed 001: Outline's SSO fork on tokenflight", () => {
	it("should reload once with 0 errors when 10 requests in flight answer 401, and the next load is the new user", async () => {
		const tab = browser(mock);
		mock.setPortalUser("alice");
		const first = await tab.load({ sso: true });
		const me = await first.post<Envelope<{ user: { id: string } }>>("/auth.info");
		expect(me.data.user.id).toBe("alice");

		// At the portal: log out of all apps, sign in as Bob. Outline's cookie still names Alice.
		mock.setPortalUser("bob");
		const result = await outcomes(tenInFlight(first), isReauthenticating(first));

		expect(result).toMatchObject({ rejected: 0, pending: 10 });
		expect(tab.location.reload).toHaveBeenCalledTimes(1);
		expect(mock.requests["auth.info"]?.[401]).toBeGreaterThan(0);
		expect(tab.page.jar.has("accessToken")).toBe(false); // the fork's 401 cleared the stale cookie

		// The reload: the proxy signs the page load in as the portal's user.
		const next = await tab.load({ sso: true });
		const info = await next.post<Envelope<{ user: { id: string } }>>("/auth.info");
		expect(info.data.user.id).toBe("bob");
		expect(tab.location.reload).toHaveBeenCalledTimes(1);
		expect(next.client.session.getSnapshot().status).toBe("authenticated");
	});

	it("should reload once with 0 errors when the proxy answers every request in flight with a 302 to an HTML page", async () => {
		const tab = browser(mock);
		mock.setPortalUser("alice");
		const first = await tab.load({ sso: true });
		await first.post("/auth.info");

		// Log out of all apps: nobody is signed in at the portal, and the proxy sends every call to /home.
		mock.setPortalUser(null);
		const result = await outcomes(tenInFlight(first), isReauthenticating(first));

		expect(result).toMatchObject({ rejected: 0, pending: 10 });
		expect(tab.location.reload).toHaveBeenCalledTimes(1);
		expect(first.client.session.getSnapshot().reason).toBe("answered-from-outside");
		expect(mock.requests["documents.list"]?.[302]).toBeGreaterThan(0);

		mock.setPortalUser("bob");
		const next = await tab.load({ sso: true });
		expect((await next.post<Envelope<{ user: { id: string } }>>("/auth.info")).data.user.id).toBe("bob");
	});

	it("should stop reloading when the portal keeps answering 401 (the loop guard), instead of reloading forever", async () => {
		const tab = browser(mock);
		mock.setPortalUser("alice");
		const first = await tab.load({ sso: true });
		await first.post("/auth.info");
		mock.setPortalUser("bob");
		// Every page load comes back with Alice's stale cookie (a proxy that never re-issues it).
		let client = first;
		for (let load = 0; load < 4; load++) {
			if (load > 0) client = await tab.load({ sso: true });
			tab.page.jar.set("accessToken", mock.login("alice").accessToken);
			await outcomes([client.post("/documents.list").catch(() => undefined)], isReauthenticating(client));
		}
		expect(tab.location.reload).toHaveBeenCalledTimes(2);
		expect(client.client.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "unauthorized" });
	});
});
