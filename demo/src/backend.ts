import { setupWorker } from "msw/browser";
import { createMockAuthServer } from "../../src/msw/index.js";
import { storagePersistence } from "./storagePersistence.js";
import type { MockAuthServer } from "../../src/msw/index.js";
import { authProxyHandlers } from "./authProxy.js";
import { embeddedAppHandlers } from "./embeddedApp.js";
import { requestLogHandlers } from "./requestLog.js";
import { staleRedirectHandlers } from "./staleRedirect.js";
import { stepUpHandlers } from "./stepUp.js";

export const backendKey = "demo:backend";
const writerKey = "demo:backend-writer";

/** Whether any tab has saved the backend yet. */
export function hasBackend(): boolean {
	for (let i = 0; i < localStorage.length; i++) if (localStorage.key(i)?.startsWith(`${backendKey}:`)) return true;
	return false;
}

/** This tab's slot in the backend's storage: kept across reloads so each tab writes one key, not one per load. */
function tabWriter(): string {
	const existing = sessionStorage.getItem(writerKey);
	if (existing) return existing;
	const fresh = `tab-${Math.random().toString(36).slice(2, 10)}`;
	sessionStorage.setItem(writerKey, fresh);
	return fresh;
}

/**
 * The mock auth backend, running in this page under msw's Service Worker. Its state is kept in localStorage,
 * so every reload and every tab talks to one backend, as they would to a real server.
 */
export async function startBackend(): Promise<MockAuthServer> {
	const firstVisit = !hasBackend();
	const backend = createMockAuthServer({
		origin: location.origin,
		users: [
			{ id: "alice", name: "Alice Chen" },
			{ id: "bob", name: "Bob Rivera" },
		],
		accessTokenTtlMs: 5 * 60_000,
		latency: { "documents.list": 150, "documents.create": 150, "auth.info": 150, token: 300, sso: 150, login: 150 },
		persistence: storagePersistence(localStorage, { key: backendKey, writer: tabWriter() }),
	});
	// A first visit arrives signed in at the portal, as someone who opened the app from the company portal.
	if (firstVisit) backend.setPortalUser("alice");
	// The auth proxy stands in front of everything; then the embedded app's session check (seed 002), whose token
	// handler falls through to the backend's; then seed 001's redirect for replaced sessions, which asks the backend.
	const worker = setupWorker(
		// Records, never answers: first, so it sees every request to /api/.
		...requestLogHandlers(location.origin),
		...authProxyHandlers(location.origin),
		...embeddedAppHandlers(location.origin),
		...stepUpHandlers(location.origin),
		...staleRedirectHandlers(location.origin, backend.handlers),
		...backend.handlers,
	);
	// Before the app's first request: until the worker answers, requests would reach the static server.
	await worker.start({ onUnhandledFrame: "bypass", quiet: true, serviceWorker: { url: "/mockServiceWorker.js" } });
	return backend;
}
