import ky from "ky";
import type { BearerContext } from "./auth/bearer.js";
import type { Credentials } from "./auth/types.js";
import { disposedError } from "./core/disposedError.js";
import { resolveBaseUrl, resolveUrl, toOrigin } from "./core/origins.js";
import { createEventHub } from "./events/events.js";
import { checkLifetimeOptions, type LifetimeStore } from "./lifetime/options.js";
import { lifetimeStore, type LifetimeHooks } from "./lifetime/store.js";
import type { RequestOptions } from "./core/requestOptions.js";
import { readJson } from "./core/responses.js";
import type { Client, ClientOptions } from "./options.js";
import { acceptsJson, withBody } from "./request/body.js";
import { describe, throwIfDisposed, type ClientCore } from "./request/context.js";
import { requestRunner } from "./request/dedupe.js";
import { fetchThrough } from "./request/fetchAdapter.js";
import { createSecrets } from "./request/secrets.js";
import { createReloadGuard, persistentTabId } from "./session/reloadGuard.js";
import { Session } from "./session/session.js";
import { createTabSync } from "./tabs/tabSync.js";

const jsonMode = { expectsJson: true, raw: false };

export type { BearerAuth, Client, ClientOptions, CookieAuth, Reauthenticate, SessionEndedPolicy, StepUp, StepUpContext } from "./options.js";

/** Builds the credentials a client attaches; each entry (`tokenflight`, `/bearer`, `/cookie`) passes its own. */
export type CredentialsFactory = (auth: ClientOptions["auth"], context: BearerContext) => Credentials;

/** Wires the session, the credentials, other tabs and the request loop together; the credentials are `makeCredentials`'. */
export function createClientWith(options: ClientOptions, makeCredentials: CredentialsFactory): Client {
	const baseUrl = resolveBaseUrl(options.baseUrl);
	const trusted = new Set([baseUrl.origin, ...(options.trustedOrigins ?? []).map(toOrigin)]);
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
		session,
		credentials,
		tabs,
		// No timeout unless the app asks for one: a slow answer is still an answer (ky's own default is 10 s).
		api: ky.create({ timeout: false, ...options.ky }),
		baseFetch: options.ky?.fetch ?? ((input, init) => globalThis.fetch(input, init)),
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

	function json<T>(path: string | URL, init: RequestOptions): Promise<T> {
		return run(path, init, jsonMode).then((response) =>
			readJson<T>(response, () => describe(resolveUrl(path, baseUrl), init)).catch((error: unknown) => {
				throw core.secrets.redact(error);
			}),
		);
	}

	return {
		request: (path, init = {}) => run(path, init, { expectsJson: acceptsJson(init), raw: false }),
		fetch: (input, init) => fetchThrough(run, baseUrl, input, init),
		get: (path, init = {}) => json(path, { ...init, method: "GET" }),
		delete: (path, init = {}) => json(path, { ...init, method: "DELETE" }),
		post: (path, body, init = {}) => json(path, withBody(init, "POST", body)),
		put: (path, body, init = {}) => json(path, withBody(init, "PUT", body)),
		patch: (path, body, init = {}) => json(path, withBody(init, "PATCH", body)),
		session: session.store,
		lifetime: timedStore?.store ?? untimed,
		staySignedIn: () => (lifetime ? lifetime.staySignedIn() : credentials.refreshNow()),
		events: events.stream,
		async signIn(tokens, identity) {
			throwIfDisposed(core);
			await session.signIn(tokens, identity);
		},
		logout: () => session.logout(),
		reportSessionEnded(reason) {
			const { status } = session.state;
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
