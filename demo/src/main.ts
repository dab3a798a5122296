// First: in a frame of the side-by-side page, cookies get their prefix and a reset forgets everything, before msw reads either.
import { frameName } from "./frameSetup.js";
import type { SessionReason, StepUp } from "../../src/index.js";
import type { MockAuthServer } from "../../src/msw/index.js";
import { createApp } from "./app.js";
import type { App } from "./app.js";
import type { AppApi } from "./appApi.js";
import { startBackend } from "./backend.js";
import { isProxySessionExpired, readAuthProxy } from "./authProxy.js";
import { readEmbeddedApp } from "./embeddedApp.js";
import { createEventLog } from "./eventLog.js";
import { isCapped, isRunCommand, markCapped, readRun, saveRun } from "./frameBridge.js";
import type { FrameReport, FrameScenario } from "./frameBridge.js";
import { createNaiveApi } from "./naiveApi.js";
import { createScenarios } from "./scenarios.js";
import type { Scenarios } from "./scenarios.js";
import { readStaleRedirect } from "./staleRedirect.js";
import { readSettings } from "./settings.js";
import type { ClientKind } from "./settings.js";
import { markSteppedUp, readStepUp } from "./stepUp.js";
import { csrfCookieValue, markReauthReload, takeReauthReason } from "./storedSession.js";
import { createToasts } from "./toasts.js";
import { createTokenflightApi } from "./tokenflightApi.js";
import { createView } from "./view.js";

const settings = readSettings();
if (frameName !== null) document.title = `${frameName === "naive" ? "naive ky client" : "tokenflight"} · ${document.title}`;
const log = createEventLog();
const view = createView();
// In a frame toasts stay a little longer: the point there is to count them.
const toasts = createToasts(view.toasts, log, settings.frame === undefined ? 4_000 : 6_000);

/** This document is about to go: a reload is under way (the side-by-side page waits for the next one). */
let navigating = false;
/** A scenario runs in this document. */
let busy = false;
let booted = false;
let reportFrame: () => void = () => {};

function renderLog(): void {
	const { reloads, toastsTotal } = log.counters();
	view.log(log.entries(), `${reloads} reload${reloads === 1 ? "" : "s"} · ${toastsTotal} toast${toastsTotal === 1 ? "" : "s"}`, log.startedAt());
}
log.subscribe(() => {
	renderLog();
	reportFrame();
});

log.pageLoaded(`${settings.client === "naive" ? "naive ky client" : "tokenflight"}, ${settings.mode}${settings.store === "indexedDB" ? ", IndexedDB tokens" : ""}`);
const reauthReason = takeReauthReason();
view.client(settings.client, settings.mode, settings.reauth);

function reauthenticate(reason: SessionReason): void {
	markReauthReload(reason);
	log.reloading(reason);
	navigating = true;
	reportFrame();
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
		if (snapshot.status === "reauthenticating" && previous !== "reauthenticating") {
			navigating = true;
			log.reloading(`${snapshot.reason ?? "unauthorized"}, tokenflight's default location.reload()`);
		}
		previous = snapshot.status;
	});
}

/**
 * Whether this page lets the naive client's 401 reload it: decided at the first 401. Only that one navigates: the
 * naive client calls `location.replace` on every 401, but each call only restarts the same reload, and Chromium sends
 * the restarted page requests one after the other, each waiting for the last (with `?pageDelay`, ten 401s made a
 * 20 s reload). The user sees the same page, the same toasts, and the reload they end in.
 */
let naiveReloads: boolean | undefined;
function naiveUnauthorized(): boolean {
	if (naiveReloads !== undefined) return false;
	const cap = settings.naiveReloadCap;
	if (cap !== undefined && log.counters().reloads >= cap) {
		// The side-by-side page's cap, not the naive client's: this load is the same as the last `cap`, and so would the next be.
		naiveReloads = false;
		markCapped();
		log.add("warn", `stopped by the demo after ${cap} reloads in a row: every load ends in the same 401, so the naive client would reload forever`);
		reportFrame();
		return false;
	}
	naiveReloads = true;
	// A bare reload (`?reauth=default`) keeps the stored credentials; the demo's marks itself, so the next load signs in again.
	if (settings.reauth !== "default") markReauthReload("unauthorized");
	log.reloading("401 → location.replace");
	navigating = true;
	reportFrame();
	return true;
}

// Filled in once the backend runs: the step-up asks it for new tokens, as the IdP would issue them.
let backendRef: MockAuthServer | undefined;
let appRef: App | undefined;

/**
 * tokenflight's `stepUp`: the app asks the user for a second factor (the demo's dialog confirms by itself), the IdP
 * upgrades the session, and tokenflight retries the challenged request. Bearer: new tokens, stepped up. Cookie:
 * the server upgrades the session behind the cookie, and `true` says so.
 */
const stepUp: StepUp = async ({ acrValues, maxAge }) => {
	log.add("info", `step-up challenge (acr_values=${acrValues?.join(" ") ?? "–"}, max_age=${maxAge ?? "–"}): asking for a second factor`);
	await view.stepUpPrompt("Exporting the workspace needs a second factor from the last 5 minutes.", 1_600);
	if (settings.mode === "cookie") {
		const csrf = csrfCookieValue();
		if (csrf !== undefined) markSteppedUp(csrf);
		log.add("ok", "second factor confirmed: the IdP upgraded this session; tokenflight retries the export");
		return true;
	}
	if (!backendRef) throw new Error("the backend is not running");
	const tokens = backendRef.login(appRef?.state.user?.id ?? "alice", { device: "browser tab (step-up)" });
	markSteppedUp(tokens.accessToken);
	log.add("ok", "second factor confirmed: new tokens with acr=mfa; tokenflight retries the export");
	return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt };
};

function createApi(): AppApi {
	if (settings.client === "tokenflight") {
		return createTokenflightApi({ mode: settings.mode, store: settings.store, reauthenticate: settings.reauth === "default" ? undefined : reauthenticate, stepUp });
	}
	// Every 401 navigates again; the log counts the page going away once.
	return createNaiveApi({ mode: settings.mode, onUnauthorized: naiveUnauthorized });
}

// window.demo exists from the first line of script, `ready` first; the actions join once the backend runs.
const demoGlobal: Record<string, unknown> = {};
Object.assign(window, { demo: demoGlobal });

async function start(): Promise<void> {
	const backend = await startBackend();
	backendRef = backend;
	const api = createApi();
	const app = createApp({ settings, backend, api, log, toasts, view });
	appRef = app;
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
				((readStepUp().exports[401] ?? 0) > 0 ? ` · step-up 401s <b>${readStepUp().exports[401] ?? 0}</b>` : "") +
				(outside.length > 0 ? `<br>${outside.join(" · ")}` : ""),
		);
	}
	setInterval(renderStats, 500);

	const actions: Record<string, () => unknown> = {
		expire: scenarios.expireAccessToken,
		burst: () => scenarios.expireThenBurst(20),
		switch: () => scenarios.switchIdentity("401"),
		"switch-redirect": () => scenarios.switchIdentity("redirect"),
		"auth-proxy": () => scenarios.expireAuthProxySession(),
		"step-up": scenarios.stepUpExport,
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

	// What a scenario does, in words on the page rather than in a tooltip.
	const hint = document.getElementById("scenario-hint");
	const showHint = (event: Event) => {
		const text = (event.target as HTMLElement | null)?.closest<HTMLElement>("[data-hint]")?.dataset.hint;
		if (hint && text) hint.textContent = text;
	};
	document.addEventListener("mouseover", showHint);
	document.addEventListener("focusin", showHint);

	function unauthorizedCount(): number {
		const { requests } = backend.counters;
		const fromBackend = Object.values(requests).reduce((sum, byStatus) => sum + (byStatus[401] ?? 0), 0);
		// The demo's own routes answer outside the backend's counters: the embedded app's check, the export. In "302 →
		// HTML" the backend's 401s leave it as redirects: the page never sees them, so they are not counted.
		const redirected = readStaleRedirect()?.redirected ?? 0;
		return fromBackend - redirected + (readEmbeddedApp()?.checks[401] ?? 0) + (readStepUp().exports[401] ?? 0);
	}

	const state = () => ({
		view: app.state.view,
		user: app.state.user?.id ?? null,
		documents: app.state.documents.length,
		session: api.session.getSnapshot(),
		...log.counters(),
		toastsOnScreen: document.querySelectorAll(".toast").length,
	});

	// For tests and the console: the same actions as the buttons, plus read access to what the page knows.
	const demo = {
		settings,
		backend,
		...scenarios,
		refetch: app.refetch,
		createDocument: app.createDocument,
		exportWorkspace: app.exportWorkspace,
		signIn: app.signIn,
		logout: app.logout,
		log: () => log.entries(),
		counters: () => JSON.parse(JSON.stringify({ ...backend.counters, requests: backend.counters.requests })) as unknown,
		/** What the demo's faults in front of the backend did: seed 001's 302 → /home, and the auth proxy's redirects. */
		outside: () => ({ staleRedirects: readStaleRedirect()?.redirected ?? 0, proxyRedirects: readAuthProxy().redirected, proxyExpired: isProxySessionExpired() }),
		state,
	};
	Object.assign(demoGlobal, demo);

	if (settings.frame !== undefined) {
		const frame = settings.frame;
		reportFrame = connectFrame(() => {
			const snapshot = api.session.getSnapshot();
			const run = readRun();
			const stepUpState = readStepUp();
			const { pageLoads, toastsTotal } = log.counters();
			return {
				source: "tokenflight-demo-frame",
				frame,
				mode: settings.mode,
				document: documentId,
				pageLoads,
				toasts: toastsTotal,
				toastsOnScreen: document.querySelectorAll(".toast").length,
				refreshCalls: backend.counters.refreshCalls,
				unauthorized: unauthorizedCount(),
				view: app.state.view,
				user: app.state.user?.id ?? null,
				session: { status: snapshot.status, ...(snapshot.reason === undefined ? {} : { reason: snapshot.reason }) },
				ready: booted,
				busy,
				navigating,
				capped: isCapped(),
				stepUps: stepUpState.stepUps,
				exports: stepUpState.exports,
				run,
				log: log.entries().filter((entry) => run !== null && entry.t >= run.startedAt),
			};
		}, scenarios);
		api.session.subscribe(() => reportFrame());
	}

	await app.boot(reauthReason);
	renderStats();
	booted = true;
	reportFrame();
}

const documentId = Math.random().toString(36).slice(2, 10);

/**
 * In a frame of the side-by-side page: runs what the page asks for, and tells it what this frame's user has seen,
 * after every change and twice a second (the backend's counters change without a log line).
 */
function connectFrame(read: () => FrameReport, scenarios: Scenarios): () => void {
	const parentOrigin = new URLSearchParams(location.search).get("parent") ?? "*";
	const post = () => {
		try {
			window.parent.postMessage(read(), parentOrigin);
		} catch {
			// The page is going away: the next document reports.
		}
	};
	const runs: Record<FrameScenario, () => Promise<unknown>> = {
		switch: () => scenarios.switchIdentity("401"),
		"switch-redirect": () => scenarios.switchIdentity("redirect"),
		embedded: () => scenarios.endSsoSessionEmbeddedApp(),
		"step-up": () => scenarios.stepUpExport(),
		burst: () => scenarios.expireThenBurst(20),
	};
	addEventListener("message", (event) => {
		if (event.source !== window.parent || !isRunCommand(event.data)) return;
		const { scenario } = event.data;
		saveRun({ scenario, startedAt: Date.now() });
		busy = true;
		post();
		void runs[scenario]()
			.catch(() => undefined)
			.finally(() => {
				busy = false;
				post();
			});
	});
	setInterval(post, 500);
	return post;
}

const ready = start();
demoGlobal.ready = ready;
ready.catch((error: unknown) => {
	log.add("error", `demo failed to start: ${error instanceof Error ? error.message : String(error)}`);
	console.error(error);
});
renderLog();
