import ky from "ky";
import type { BearerContext } from "./auth/bearer.js";
import type { Credentials } from "./auth/types.js";
import { disposedError } from "./core/disposedError.js";
import { markClientFetch, pageFetch } from "./core/pageFetch.js";
import { resolveBaseUrl, resolveUrl, toOrigin } from "./core/origins.js";
import { createEventHub } from "./events/events.js";
import { checkLifetimeOptions, type LifetimeStore } from "./lifetime/options.js";
import { lifetimeStore, type LifetimeHooks } from "./lifetime/store.js";
import type { RequestOptions } from "./core/requestOptions.js";
import { readJson } from "./core/responses.js";
import type { Client, ClientOptions } from "./options.js";
import { expectsJsonOnly, withBody } from "./request/body.js";
import { appError, describe, throwIfDisposed, type ClientCore } from "./request/context.js";
import { requestRunner } from "./request/dedupe.js";
import { fetchThrough } from "./request/fetchAdapter.js";
import { createSecrets } from "./request/secrets.js";
import { createReloadGuard, persistentTabId } from "./session/reloadGuard.js";
import { Session } from "./session/session.js";
import { createTabSync } from "./tabs/tabSync.js";

const jsonMode = { expectsJson: true, raw: false };
// `get`/`post`/… whose own Accept lets HTML in (Outline's export): an HTML answer is then no sign of a dead session.
const jsonOrHtmlMode = { expectsJson: false, raw: false };

export type { BearerAuth, Client, ClientOptions, ClientSession, CookieAuth, Reauthenticate, SessionEndedPolicy, StepUp, StepUpContext } from "./options.js";

/** Builds the credentials a client attaches; each entry (`tokenflight`, `/bearer`, `/cookie`) passes its own. */
export type CredentialsFactory = (auth: ClientOptions["auth"], context: BearerContext) => Credentials;

/** Wires the session, the credentials, other tabs and the request loop together; the credentials are `makeCredentials`'. */
export function createClientWith(options: ClientOptions, makeCredentials: CredentialsFactory): Client {
	const baseUrl = resolveBaseUrl(options.baseUrl);
	const trusted = new Set([baseUrl.origin, ...(options.trustedOrigins ?? []).map((origin) => toOrigin(origin))]);
	const redirectOrigins = new Set((options.redirectOrigins ?? []).map((origin) => toOrigin(origin, "redirectOrigins")));
	const disposeController = new AbortController();
	const timed = options.idle !== undefined || options.absolute !== undefined;
	if (timed) checkLifetimeOptions(options);
	const events = createEventHub();
	const tabsOption = options.tabs;
	const tabs = createTabSync(
		tabsOption === undefined || tabsOption ? tabsOption : false,
		(message) => (message.type === "tokens" ? message.rotated !== undefined && credentials.rotatedElsewhere(message.rotated) : session.hear(message)),
		tabsOption === undefined,
		events,
	);
	let lifetime: LifetimeHooks | undefined;
	const session = new Session({
		// With tabs coordinated, the loop guard's budget is shared through localStorage (see ReloadGuard.tryAttempt).
		guard: createReloadGuard({ ...(tabs ? { storage: sharedStorage(), tabId: persistentTabId() } : {}), ...options.reloadGuard }),
		reauthenticate: options.reauthenticate ?? defaultReauthenticate,
		onSessionEnded: options.onSessionEnded,
		onSignedOut: options.onSignedOut,
		publish: (message) => tabs?.publish(message),
		events,
		observe: (event) => lifetime?.follow(event.type),
	});
	const credentials = makeCredentials(options.auth, { session, tabs, leewayMs: options.refreshLeewayMs ?? 30_000, events, onTokens: (tokens) => lifetime?.tokens(tokens) });
	session.vault = credentials;
	tabs?.onVisible(() => {
		lifetime?.check();
		void credentials.refreshIfExpiring().catch(() => undefined);
	});
	const timedStore = timed
		? lifetimeStore(options, {
				tabs,
				storage: sharedStorage(),
				expire: (reason) => session.expire(reason),
				refresh: () => credentials.refreshNow(),
				events,
				initial: async () => session.state.status !== "signedOut" && (options.auth.type === "bearer" ? options.auth.store.get() : true),
			})
		: undefined;
	lifetime = timedStore?.hooks;

	const core: ClientCore = {
		options,
		baseUrl,
		isTrusted: (url) => trusted.has(url.origin),
		isRedirectOrigin: (url) => redirectOrigins.has(url.origin),
		session,
		credentials,
		tabs,
		// No timeout unless the app asks for one: a slow answer is still an answer (ky's own default is 10 s).
		api: ky.create({ timeout: false, ...options.ky }),
		// The page's fetch, never a client's: `globalThis.fetch = client.fetch` must not make the client call itself.
		baseFetch: options.ky?.fetch ?? ((input, init) => pageFetch()(input, init)),
		disposed: disposeController.signal,
		secrets: createSecrets(),
		events,
		lastCredential: undefined,
		stepUpFlight: null,
	};
	const runner = requestRunner(core);
	const run: typeof runner = (path, init, mode) => {
		lifetime?.requested();
		return runner(path, init, mode);
	};
	const clientFetch: typeof fetch = (input, init) => fetchThrough(run, baseUrl, input, init);
	// Marked with the page's fetch as the client is created: what it sends through once it has become the global one.
	markClientFetch(clientFetch, options.ky?.fetch ? undefined : pageFetch());

	function json<T>(path: string | URL, init: RequestOptions): Promise<T> {
		return run(path, init, expectsJsonOnly(init, true) ? jsonMode : jsonOrHtmlMode).then((response) =>
			readJson<T>(response, () => describe(resolveUrl(path, baseUrl), init)).catch((error: unknown) => {
				// A body that cannot be read or parsed is one more error `errorFor` sees.
				throw appError(core, core.secrets.redact(error));
			}),
		);
	}

	return {
		request: (path, init = {}) => run(path, init, { expectsJson: expectsJsonOnly(init, false), raw: false }),
		fetch: clientFetch,
		get: (path, init = {}) => json(path, { ...init, method: "GET" }),
		delete: (path, init = {}) => json(path, { ...init, method: "DELETE" }),
		post: (path, body, init = {}) => json(path, withBody(init, "POST", body)),
		put: (path, body, init = {}) => json(path, withBody(init, "PUT", body)),
		patch: (path, body, init = {}) => json(path, withBody(init, "PATCH", body)),
		session: {
			getSnapshot: session.store.getSnapshot,
			subscribe: session.store.subscribe,
			get generation() {
				return session.state.generation;
			},
		},
		lifetime: timedStore?.store ?? untimed,
		staySignedIn: () => (lifetime ? lifetime.staySignedIn() : credentials.refreshNow()),
		events: events.stream,
		async signIn(tokens, identity) {
			throwIfDisposed(core);
			await session.signIn(tokens, identity);
		},
		logout: () => session.logout(),
		reportSessionEnded(reason, about) {
			const generation = about?.generation;
			if (generation !== undefined && !Number.isInteger(generation)) {
				throw new TypeError(`tokenflight: reportSessionEnded's generation takes client.session.generation, got ${String(generation)}`);
			}
			const { status } = session.state;
			// About a session already replaced (a late report of work sent before a re-sign-in): dropped, as stale answers are.
			if (generation !== undefined && generation !== session.state.generation) return;
			if (status !== "signedOut" && status !== "reauthenticating") session.end(reason, core.lastCredential);
		},
		dispose() {
			if (disposeController.signal.aborted) return;
			disposeController.abort();
			credentials.dispose();
			lifetime?.dispose();
			tabs?.dispose();
			session.dispatch({ type: "disposed", error: disposedError() });
		},
	};
}

// Without `idle` or `absolute`: nothing is timed, and nothing ever changes.
const untimedSnapshot = Object.freeze({ idleDeadline: undefined, absoluteDeadline: undefined, warning: null });
const untimed: LifetimeStore = { getSnapshot: () => untimedSnapshot, subscribe: () => () => {}, reportActivity() {} };

function defaultReauthenticate(): void | Promise<undefined> {
	const location = (globalThis as { location?: { reload?: () => void } }).location;
	if (typeof location?.reload === "function") return location.reload();
	// Nothing to reload: the session ends.
	return Promise.reject(new Error("no page to reload"));
}

function sharedStorage() {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null;
	}
}
