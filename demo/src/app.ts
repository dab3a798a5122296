import type { SessionReason, SessionSnapshot } from "../../src/index.js";
import type { MockAuthServer, MockDocument, MockUser } from "../../src/msw/index.js";
import type { AppApi, SignedIn } from "./appApi.js";
import { bootstrap, endLocalSession, storeSession } from "./bootstrap.js";
import { isEmbeddedAppOpen } from "./embeddedApp.js";
import type { EventLog } from "./eventLog.js";
import type { Settings } from "./settings.js";
import type { Toasts } from "./toasts.js";
import type { View } from "./view.js";

export type AppOptions = { settings: Settings; backend: MockAuthServer; api: AppApi; log: EventLog; toasts: Toasts; view: View };

export type AppState = {
	view: "loading" | "workspace" | "signedOut";
	user: MockUser | undefined;
	documents: MockDocument[];
};

const bannerTexts: Partial<Record<SessionReason, string>> = {
	"answered-from-outside": "Your session ended. Signing you in again…",
	"identity-changed": "Someone else signed in. Reloading…",
	"refresh-failed": "Your session ended. Signing you in again…",
	"signed-out-elsewhere": "Your session changed in another tab. Reloading…",
	unauthorized: "Your session ended. Signing you in again…",
};

function signedOutText(reason: SessionReason | undefined): string {
	if (reason === undefined) return "You signed out.";
	if (reason === "signed-out-elsewhere") return "You signed out in another tab.";
	return "We couldn't restore your session after two tries, so we stopped instead of reloading again. Sign in to continue.";
}

/** The SPA itself: what it loads, what it shows, and how it reports a failed request (a toast, like any app). */
export function createApp({ settings, backend, api, log, toasts, view }: AppOptions) {
	const state: AppState = { view: "loading", user: undefined, documents: [] };

	function isSignedOutError(error: unknown): boolean {
		// Once the session is over the app shows its sign-in screen; a toast per request would only repeat it.
		return api.session.getSnapshot().status === "signedOut" && (error as { name?: unknown } | null)?.name === "AuthenticationError";
	}

	/** Runs one request the way a component would: a failure becomes a red toast. */
	async function attempt<T>(failure: string, run: () => Promise<T>): Promise<T | undefined> {
		try {
			return await run();
		} catch (error) {
			if (!isSignedOutError(error)) toasts.error(failure);
			return undefined;
		}
	}

	function showWorkspace(user: MockUser): void {
		state.view = "workspace";
		state.user = user;
		view.user(user);
		view.showOnly("workspace");
	}

	function showSignedOut(message: string): void {
		state.view = "signedOut";
		state.user = undefined;
		state.documents = [];
		view.emptySidebar("Signed out");
		view.signedOut(message);
	}

	/** What the first render of Outline fires at once: profile, documents, recent documents. */
	async function refetch(): Promise<void> {
		const started = performance.now();
		const [info, list, recent] = await Promise.all([
			attempt("Failed to load your profile", () => api.info()),
			attempt("Failed to load documents", () => api.listDocuments()),
			attempt("Failed to load recent documents", () => api.recentDocuments()),
		]);
		if (state.view !== "workspace") return;
		if (info) showWorkspace(info.data.user);
		if (list) {
			state.documents = list.data;
			view.documents(list.data);
		}
		if (recent) view.recent(recent.data);
		if (info && list && recent) log.add("ok", `loaded ${list.data.length} documents as ${info.data.user.id} in ${Math.round(performance.now() - started)} ms`);
	}

	/**
	 * Coming back to the tab (seed 001): the first render's three calls and, at the same moment, the other panels of
	 * the page, each its own request (the demo sends them all to `documents.list`): `inFlight` requests in all.
	 */
	async function returnToTab(inFlight = 10): Promise<void> {
		log.add("info", `back to this tab: the app refetches, ${inFlight} requests in flight`);
		const panels = ["collections", "access tokens", "team", "starred", "pinned", "shares", "notifications"];
		await Promise.all([
			refetch(),
			...Array.from({ length: Math.max(0, inFlight - 3) }, (_, i) => attempt(`Failed to load ${panels[i % panels.length]}`, () => api.listDocuments((i % 3) + 1))),
		]);
	}

	/**
	 * The embedded app (seed 002's ResponsiveIframe): once the dashboard has loaded, it mounts and refreshes the
	 * IdP session with the app's credential. While it is open, every page load mounts it again.
	 */
	async function mountEmbeddedApp(): Promise<void> {
		if (state.view !== "workspace") return;
		log.add("info", "embedded app: GET /api/auth/refresh-keycloak-session");
		const refreshed = await attempt("Failed to open the embedded app", () => api.refreshEmbeddedSession());
		if (refreshed !== undefined) log.add("ok", "embedded app: IdP session refreshed");
	}

	async function burst(count: number): Promise<{ ok: number; failed: number }> {
		log.add("action", `burst: ${count} requests at once`);
		const started = performance.now();
		const results = await Promise.all(Array.from({ length: count }, (_, i) => attempt("Failed to load documents", () => api.listDocuments((i % 3) + 1))));
		const ok = results.filter((result) => result !== undefined).length;
		log.add(ok === count ? "ok" : "error", `burst: ${ok}/${count} succeeded in ${Math.round(performance.now() - started)} ms`);
		return { ok, failed: count - ok };
	}

	/** Exporting needs a recent second factor: the server answers with a step-up challenge (RFC 9470) until then. */
	async function exportWorkspace(): Promise<boolean> {
		log.add("info", "export the workspace (needs a second factor from the last 5 minutes)");
		const exported = await attempt("Failed to export the workspace", () => api.exportWorkspace());
		if (exported) log.add("ok", `exported ${exported.data.file}`);
		return exported !== undefined;
	}

	async function createDocument(): Promise<MockDocument | undefined> {
		const title = `Untitled ${new Date().toLocaleTimeString("en", { hour: "2-digit", minute: "2-digit", second: "2-digit" })}`;
		const created = await attempt("Failed to create document", () => api.createDocument(title));
		if (created) {
			log.add("ok", `created "${created.data.title}"`);
			state.documents = [...state.documents, created.data];
			view.documents(state.documents);
		}
		return created?.data;
	}

	async function boot(reauthReason: string | null): Promise<void> {
		const result = await bootstrap(settings.mode, api, log, reauthReason);
		if (result.type === "signedOut") {
			showSignedOut(result.message);
			return;
		}
		showWorkspace(result.user);
		await refetch();
		if (isEmbeddedAppOpen()) await mountEmbeddedApp();
	}

	/** The app's sign-in form, for the demo a button: the portal signs the user in, then the app's own login. */
	async function signIn(userId: string): Promise<void> {
		backend.setPortalUser(userId);
		log.add("action", `portal: ${userId} signs in`);
		const response = await fetch("/api/auth.login", { method: "POST", body: JSON.stringify({ user: userId, mode: settings.mode, device: "browser tab" }) });
		if (!response.ok) {
			toasts.error("Failed to sign in");
			return;
		}
		const signedIn = (await response.json()) as SignedIn;
		await storeSession(settings.mode, api, signedIn);
		log.add("ok", `signed in as ${signedIn.user.name}`);
		showWorkspace(signedIn.user);
		await refetch();
	}

	async function logout(): Promise<void> {
		log.add("action", "log out (app and portal)");
		backend.setPortalUser(null);
		await endLocalSession(settings.mode, api);
		showSignedOut(signedOutText(undefined));
	}

	let previous: SessionSnapshot = api.session.getSnapshot();
	function onSession(snapshot: SessionSnapshot): void {
		const before = previous;
		previous = snapshot;
		view.session(snapshot, bannerFor(snapshot));
		if (snapshot.status === before.status) return;
		log.add(snapshot.status === "authenticated" ? "ok" : snapshot.status === "signedOut" ? "error" : "info", `session: ${before.status} → ${snapshot.status}${snapshot.reason ? ` (${snapshot.reason})` : ""}`);
		if (snapshot.status === "signedOut" && state.view !== "signedOut") showSignedOut(signedOutText(snapshot.reason));
		// Another tab signed in while this one showed the sign-in screen: pick the session up without a reload.
		if (before.status === "signedOut" && snapshot.status === "unknown" && state.view === "signedOut") void boot(null);
	}
	/**
	 * tokenflight's stall is what lets the app say "signing you in again" and mean it: no request fails meanwhile.
	 * The naive client has nothing to stall with; Outline before the fix showed no message, only the failed requests.
	 */
	function bannerFor(snapshot: SessionSnapshot): string | undefined {
		if (api.kind !== "tokenflight" || snapshot.status !== "reauthenticating") return undefined;
		return bannerTexts[snapshot.reason ?? "unauthorized"] ?? "Reloading…";
	}

	api.session.subscribe(onSession);
	view.session(previous, undefined);

	return { state, boot, refetch, returnToTab, mountEmbeddedApp, burst, exportWorkspace, createDocument, signIn, logout };
}

export type App = ReturnType<typeof createApp>;
