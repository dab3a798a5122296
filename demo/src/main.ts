import type { SessionReason } from "../../src/index.js";
import { createApp } from "./app.js";
import type { AppApi } from "./appApi.js";
import { startBackend } from "./backend.js";
import { isProxySessionExpired, readAuthProxy } from "./authProxy.js";
import { readEmbeddedApp } from "./embeddedApp.js";
import { createEventLog } from "./eventLog.js";
import { createNaiveApi } from "./naiveApi.js";
import { createScenarios } from "./scenarios.js";
import { readStaleRedirect } from "./staleRedirect.js";
import { readSettings } from "./settings.js";
import type { ClientKind } from "./settings.js";
import { markReauthReload, takeReauthReason } from "./storedSession.js";
import { createToasts } from "./toasts.js";
import { createTokenflightApi } from "./tokenflightApi.js";
import { createView } from "./view.js";

const settings = readSettings();
const log = createEventLog();
const view = createView();
const toasts = createToasts(view.toasts, log);

function renderLog(): void {
	const { reloads, toastsTotal } = log.counters();
	view.log(log.entries(), `${reloads} reload${reloads === 1 ? "" : "s"} · ${toastsTotal} toast${toastsTotal === 1 ? "" : "s"}`);
}
log.subscribe(renderLog);

log.pageLoaded(`${settings.client === "naive" ? "naive ky client" : "tokenflight"}, ${settings.mode}${settings.store === "indexedDB" ? ", IndexedDB tokens" : ""}`);
const reauthReason = takeReauthReason();
view.client(settings.client, settings.mode, settings.reauth);

function reauthenticate(reason: SessionReason): void {
	markReauthReload(reason);
	log.reloading(reason);
	setTimeout(() => location.reload(), settings.reauthDelayMs);
}

/**
 * `?reauth=default`: tokenflight reloads the page itself, so the log learns of it from the session status, which
 * tokenflight sets just before it calls `location.reload()`. The log is all this does: the next load does not know
 * it was a re-authentication, and keeps the stored credentials, as a bare reload does.
 */
function countDefaultReloads(api: AppApi): void {
	let previous = api.session.getSnapshot().status;
	api.session.subscribe((snapshot) => {
		if (snapshot.status === "reauthenticating" && previous !== "reauthenticating") log.reloading(`${snapshot.reason ?? "unauthorized"}, tokenflight's default location.reload()`);
		previous = snapshot.status;
	});
}

let naiveReloading = false;
function createApi(): AppApi {
	if (settings.client === "tokenflight") {
		return createTokenflightApi({ mode: settings.mode, store: settings.store, reauthenticate: settings.reauth === "default" ? undefined : reauthenticate });
	}
	return createNaiveApi({
		mode: settings.mode,
		onUnauthorized() {
			// Every 401 navigates again; the log counts the page going away once.
			if (naiveReloading) return;
			naiveReloading = true;
			markReauthReload("unauthorized");
			log.reloading("401 → location.replace");
		},
	});
}

// window.demo exists from the first line of script, `ready` first; the actions join once the backend runs.
const demoGlobal: Record<string, unknown> = {};
Object.assign(window, { demo: demoGlobal });

async function start(): Promise<void> {
	const backend = await startBackend();
	const api = createApi();
	const app = createApp({ settings, backend, api, log, toasts, view });
	if (settings.client === "tokenflight" && settings.reauth === "default") countDefaultReloads(api);
	const scenarios = createScenarios({ app, api, backend, log });

	function renderStats(): void {
		const { refreshCalls, reuseDetections, maxConcurrentRefreshes, requests } = backend.counters;
		const unauthorized = Object.values(requests).reduce((sum, byStatus) => sum + (byStatus[401] ?? 0), 0);
		// The embedded app's session check is the demo's own route, outside the backend's counters.
		const embedded = readEmbeddedApp();
		// What answered in the backend's place, on a line of its own once there is any: seed 001's redirect, the auth proxy.
		const staleRedirects = readStaleRedirect()?.redirected ?? 0;
		const proxyRedirects = readAuthProxy().redirected;
		const outside = [
			...(staleRedirects > 0 ? [`401 sent as 302 → /home <b>${staleRedirects}</b>`] : []),
			...(proxyRedirects > 0 ? [`auth proxy redirects <b>${proxyRedirects}</b>${isProxySessionExpired() ? " (session expired)" : ""}`] : []),
		];
		view.stats(
			`Backend · refreshes <b>${refreshCalls}</b> · reuse <b>${reuseDetections}</b> · ` +
				`peak <b>${maxConcurrentRefreshes}</b> · 401s <b>${unauthorized}</b>` +
				(embedded?.open ? ` · session check 401s <b>${embedded.checks[401] ?? 0}</b>` : "") +
				(outside.length > 0 ? `<br>${outside.join(" · ")}` : ""),
		);
	}
	setInterval(renderStats, 500);

	const actions: Record<string, () => unknown> = {
		expire: scenarios.expireAccessToken,
		burst: () => scenarios.burst(20),
		switch: () => scenarios.switchIdentity("401"),
		"switch-redirect": () => scenarios.switchIdentity("redirect"),
		"auth-proxy": () => scenarios.expireAuthProxySession(),
		revoke: scenarios.revokeRefreshToken,
		network: scenarios.tokenNetworkErrorNext,
		reject: scenarios.rejectEverySession,
		embedded: scenarios.endSsoSessionEmbeddedApp,
		tab: scenarios.openSecondTab,
		reset: scenarios.reset,
	};
	document.addEventListener("click", (event) => {
		const target = (event.target as HTMLElement | null)?.closest<HTMLElement>("[data-scenario],[data-client],[data-sign-in],#logout,#new-document");
		if (!target) return;
		const { scenario, client, signIn } = target.dataset;
		if (scenario !== undefined) void actions[scenario]?.();
		else if (client !== undefined && client !== settings.client) scenarios.setClient(client as ClientKind);
		else if (signIn !== undefined) void app.signIn(signIn);
		else if (target.id === "logout") void app.logout();
		else if (target.id === "new-document") void app.createDocument();
	});

	// For tests and the console: the same actions as the buttons, plus read access to what the page knows.
	const demo = {
		settings,
		backend,
		...scenarios,
		refetch: app.refetch,
		createDocument: app.createDocument,
		signIn: app.signIn,
		logout: app.logout,
		log: () => log.entries(),
		counters: () => JSON.parse(JSON.stringify({ ...backend.counters, requests: backend.counters.requests })) as unknown,
		/** What the demo's faults in front of the backend did: seed 001's 302 → /home, and the auth proxy's redirects. */
		outside: () => ({ staleRedirects: readStaleRedirect()?.redirected ?? 0, proxyRedirects: readAuthProxy().redirected, proxyExpired: isProxySessionExpired() }),
		state: () => ({
			view: app.state.view,
			user: app.state.user?.id ?? null,
			documents: app.state.documents.length,
			session: api.session.getSnapshot(),
			...log.counters(),
			toastsOnScreen: document.querySelectorAll(".toast").length,
		}),
	};
	Object.assign(demoGlobal, demo);

	await app.boot(reauthReason);
	renderStats();
}

const ready = start();
demoGlobal.ready = ready;
ready.catch((error: unknown) => {
	log.add("error", `demo failed to start: ${error instanceof Error ? error.message : String(error)}`);
	console.error(error);
});
renderLog();
