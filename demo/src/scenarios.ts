import type { MockAuthServer } from "../../src/msw/index.js";
import type { App } from "./app.js";
import type { AppApi } from "./appApi.js";
import { expireProxySession, forgetAuthProxy } from "./authProxy.js";
import { endSsoSession, forgetEmbeddedApp } from "./embeddedApp.js";
import type { EventLog } from "./eventLog.js";
import { saveClientKind } from "./settings.js";
import type { ClientKind } from "./settings.js";
import { forgetStaleRedirect, redirectStaleSessions, staleRedirectPath } from "./staleRedirect.js";
import { forgetStepUp } from "./stepUp.js";
import { tokensKey } from "./storedSession.js";

export type ScenarioOptions = { app: App; api: AppApi; backend: MockAuthServer; log: EventLog };

/**
 * What happens to the app from outside (the portal, the IdP, the network, the user opening tabs) followed by
 * what the app does next, as when the user comes back to the tab: refetch.
 */
export function createScenarios({ app, api, backend, log }: ScenarioOptions) {
	function currentUser(): string {
		return app.state.user?.id ?? backend.portalUser ?? "alice";
	}

	/**
	 * Seed 001: the portal logs everyone out and signs the other user in; back in this tab, every request in flight
	 * meets the replaced session. `"401"`: the server says so. `"redirect"`: the server answers `302 → /home` instead,
	 * and fetch follows it to a `200 text/html` page.
	 */
	async function switchIdentity(answer: "401" | "redirect" = "401", inFlight = 10): Promise<void> {
		const from = currentUser();
		const to = from === "alice" ? "bob" : "alice";
		if (answer === "redirect") redirectStaleSessions(await api.credentials());
		backend.switchIdentity(from, to);
		log.add("action", `portal: ${from} logged out of all apps, ${to} signed in`);
		if (answer === "redirect") log.add("info", `the server now answers ${from}'s old session with 302 → ${staleRedirectPath} (an HTML page)`);
		await app.returnToTab(inFlight);
	}

	return {
		async expireAccessToken(): Promise<void> {
			backend.expireAccessTokens();
			log.add("action", "backend: every access token expired");
			await app.refetch();
		},
		/** `count` requests at once; the token is left as it is (the tabs test expires it itself). */
		burst: (count = 20) => app.burst(count),
		/**
		 * The Burst button: every access token expires at the server first, so the burst has something to show: with
		 * tokenflight one refresh for all of them, with the naive client a 401 for each. Cookie mode has no access token.
		 */
		async expireThenBurst(count = 20): Promise<{ ok: number; failed: number }> {
			if (api.mode === "bearer") {
				backend.expireAccessTokens();
				log.add("action", "backend: every access token expired (the client does not know yet)");
			} else {
				log.add("info", "cookie session: there is no access token to expire, so the burst only shows the requests going through");
			}
			return app.burst(count);
		},
		/** A step-up challenge (RFC 9470): the export needs a recent second factor; the session itself is fine. */
		async stepUpExport(): Promise<boolean> {
			log.add("action", "export the workspace: the server asks for a second factor (step-up)");
			return app.exportWorkspace();
		},
		switchIdentity,
		switchIdentityRedirect: (inFlight = 10) => switchIdentity("redirect", inFlight),
		/**
		 * The auth proxy's own session expires: API calls are redirected to the IdP's login on another origin, which the
		 * browser reports as a CORS network error. The page itself is behind the proxy too, unless `?authProxy=api`.
		 */
		async expireAuthProxySession(inFlight = 10): Promise<void> {
			expireProxySession();
			log.add("action", "auth proxy: its session expired; API calls now redirect to the IdP's login on another origin");
			await app.returnToTab(inFlight);
		},
		async revokeRefreshToken(): Promise<void> {
			const user = currentUser();
			const ended = backend.logoutEverywhere(user);
			log.add("action", `IdP: ${ended} session(s) of ${user} revoked; the portal stays signed in`);
			await app.refetch();
		},
		async tokenNetworkErrorNext(): Promise<void> {
			backend.failNext("token", "network");
			backend.expireAccessTokens();
			log.add("action", "token endpoint: the next call fails with a network error; access tokens expired");
			await app.refetch();
		},
		async rejectEverySession(): Promise<void> {
			// Finite, so the naive client's reload loop ends by itself after a while.
			for (const route of ["documents.list", "auth.info", "documents.create"] as const) backend.failNext(route, 401, 40);
			backend.failNext("token", 400, 40);
			log.add("action", "backend: every API call answers 401, every refresh invalid_grant (next 40 calls)");
			await app.refetch();
		},
		/**
		 * Seed 002's real shape: the IdP ends the SSO session of the credentials this tab holds, the app's own session
		 * stays valid. The dashboard still answers 200; the embedded app's session refresh answers 401 for the same
		 * credential, now and on every later load (refreshing the tokens is refused too). With the demo's reauthenticate
		 * the reload signs in again through the portal and the new session works; with `?reauth=default` (a bare
		 * reload) every load meets the same credential again, and only the loop guard stops the reloads.
		 */
		async endSsoSessionEmbeddedApp(): Promise<void> {
			const credentials = await api.credentials();
			endSsoSession(credentials);
			log.add("action", `IdP: the SSO session of ${currentUser()} ended (${credentials.length} credential(s)); the app's own session still works`);
			log.add("info", "the dashboard refetches, then the embedded app opens");
			await app.refetch();
			await app.mountEmbeddedApp();
		},
		openSecondTab(): Window | null {
			log.add("action", "opening a second tab");
			// noopener: a tab opened with an opener gets a copy of this one's sessionStorage (event log, tokenflight's tab id, backend slot).
			return window.open(location.href, "_blank", "noopener");
		},
		setClient(kind: ClientKind): void {
			saveClientKind(kind);
			log.add("action", `switching to the ${kind === "naive" ? "naive ky client" : "tokenflight client"}`);
			location.reload();
		},
		async reset(): Promise<void> {
			await api.logout();
			backend.reset();
			backend.setPortalUser("alice");
			forgetEmbeddedApp();
			forgetStaleRedirect();
			forgetAuthProxy();
			forgetStepUp();
			for (const key of [tokensKey, "demo:user", "demo:cookie-user", "tokenflight:reauth", "__msw-cookie-store__"]) localStorage.removeItem(key);
			document.cookie = "csrfToken=; Max-Age=0; Path=/";
			// The backend's own keys stay: its reset already starts a new epoch that every tab adopts.
			const writer = sessionStorage.getItem("demo:backend-writer");
			sessionStorage.clear();
			if (writer !== null) sessionStorage.setItem("demo:backend-writer", writer);
			log.add("action", "sandbox reset: portal signed in as alice, everything else forgotten");
			location.reload();
		},
	};
}

export type Scenarios = ReturnType<typeof createScenarios>;
