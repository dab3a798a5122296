import { delay } from "msw";
import type { HttpHandler } from "msw";
import { createCounters, parseCountersSnapshot } from "./counters.js";
import type { MockAuthCounters } from "./counters.js";
import { createDocumentStore, parseDocumentsSnapshot } from "./documents.js";
import { createFaults, parseFaultsSnapshot } from "./faults.js";
import type { Failure } from "./faults.js";
import { createHandlers } from "./handlers.js";
import type { LoginOptions, LoginResult } from "./loginEndpoint.js";
import { createLamportClock } from "./lamportClock.js";
import { createPersistedState } from "./persistedState.js";
import type { MockAuthPersistence } from "./persistedState.js";
import { createPortal, parsePortalSnapshot } from "./portal.js";
import { randomId } from "./random.js";
import { identityHeader } from "./responses.js";
import type { RouteName } from "./routes.js";
import { createSessionStore, parseSessionsSnapshot } from "./sessions.js";
import { toMockUsers } from "./users.js";
import type { MockUser, MockUserInput } from "./users.js";

export type MockAuthServerOptions = {
	/** Default `"https://app.example"`. */
	origin?: string;
	/** Prefix of the protected API routes. Default `"/api"`. */
	apiPath?: string;
	/** Default one minute. */
	accessTokenTtlMs?: number;
	/** Default seven days. */
	refreshTokenTtlMs?: number;
	/** The clock for every expiry. Default `Date.now`, read on each call so fake timers apply. */
	now?: () => number;
	/** Default `["alice", "bob"]`; a name defaults to the capitalised id. */
	users?: readonly MockUserInput[];
	/** Milliseconds each route waits before answering. */
	latency?: Partial<Record<RouteName, number>>;
	/**
	 * Keeps the backend's state (sessions, tokens, documents, counters, queued failures, latencies, the portal's
	 * user) outside this instance. Under `setupWorker` the mock lives in the page, so without it every reload
	 * starts a new backend and every tab has its own; with a Web Storage persistence (the demo's demo/src/storagePersistence.ts) they share one.
	 * Each request merges the saved states in on arrival and saves after each change; so does each control.
	 * @default none: the state lives in this instance only
	 */
	persistence?: MockAuthPersistence;
};

export type MockAuthServer = {
	/** For `setupServer(...handlers)` or `setupWorker(...handlers)`. */
	readonly handlers: HttpHandler[];
	/** Live values: read them after the requests, no need to re-fetch the object. */
	readonly counters: MockAuthCounters;
	readonly users: readonly MockUser[];
	/** The response header naming the authenticated user. */
	readonly identityHeader: typeof identityHeader;
	/** Who is signed in at the SSO portal, i.e. whom `POST {api}/auth.sso` issues tokens for. `null` at first. */
	readonly portalUser: string | null;
	/** Start a new session (and token family) for `userId`; the user's other sessions keep working. */
	login(userId: string, options?: LoginOptions): LoginResult;
	/** Every access token issued so far is expired from now on; refresh tokens are untouched. */
	expireAccessTokens(): void;
	/** End one session and its token family. Returns whether it was alive. */
	revokeSession(sessionId: string): boolean;
	/** An IdP-side logout: every session and token family of the user ends. Returns how many sessions ended. */
	logoutEverywhere(userId: string): number;
	/**
	 * End every session of `fromUserId` and log `toUserId` in, as when someone else signs in on the same browser;
	 * `toUserId` is now the portal's user too.
	 */
	switchIdentity(fromUserId: string, toUserId: string, options?: LoginOptions): LoginResult;
	/** Sign `userId` in at the SSO portal, or sign everyone out of it with `null`. App sessions are untouched. */
	setPortalUser(userId: string | null): void;
	/** The next `count` requests to `route` fail this way, before any other processing. */
	failNext(route: RouteName, failure: Failure, count?: number): void;
	setLatency(route: RouteName, ms: number): void;
	/** Forget every session, queued failure, latency change, counter and the portal's user; documents return to their seed. */
	reset(): void;
};

const day = 24 * 60 * 60 * 1000;
const credentialWaitMs = 250;

export function createMockAuthServer(options: MockAuthServerOptions = {}): MockAuthServer {
	const {
		origin = "https://app.example",
		apiPath = "/api",
		accessTokenTtlMs = 60_000,
		refreshTokenTtlMs = 7 * day,
		now = () => Date.now(),
		latency = {},
	} = options;
	const users = toMockUsers(options.users ?? ["alice", "bob"]);
	const findUser = (id: string) => users.find((user) => user.id === id);
	const userIds = users.map((user) => user.id);

	// Names this instance's counter slot and breaks ties between concurrent last-writer-wins changes.
	const instanceId = randomId("i", 6);
	const clock = createLamportClock();
	const sessions = createSessionStore({ now, accessTokenTtlMs, refreshTokenTtlMs });
	const documents = createDocumentStore(now);
	const faults = createFaults(latency, clock, instanceId);
	const counters = createCounters(instanceId, () => state.sync());
	const portal = createPortal(clock, instanceId);
	documents.seed(userIds);

	const state = createPersistedState(options.persistence, {
		sessions: { ...sessions, parse: parseSessionsSnapshot },
		documents: { ...documents, parse: parseDocumentsSnapshot },
		counters: { ...counters, parse: parseCountersSnapshot },
		faults: { ...faults, parse: parseFaultsSnapshot },
		portal: { ...portal, parse: parsePortalSnapshot },
	});
	const { transact } = state;
	// Adopts a persisted backend, or publishes this one's seed for the next instance to adopt.
	transact(() => {});

	function knownUser(userId: string): void {
		if (!findUser(userId)) throw new Error(`Unknown user "${userId}"; known users: ${userIds.join(", ")}`);
	}

	function login(userId: string, { device = "browser", cookies = false }: LoginOptions = {}): LoginResult {
		knownUser(userId);
		return transact(() => {
			const { session, tokens } = sessions.start(userId, device, cookies);
			const result: LoginResult = { ...tokens, sessionId: session.id };
			if (session.csrfToken !== undefined) result.csrfToken = session.csrfToken;
			return result;
		});
	}

	/**
	 * Tabs see each other's saved state a little late, while the token that proves it may arrive sooner (an
	 * IndexedDB token store, a BroadcastChannel). A real server would know a token it issued, so a persisted
	 * instance that does not know one yet waits for it a little before calling it unknown.
	 */
	async function awaitCredential(token: string): Promise<void> {
		if (!options.persistence) return;
		for (let waited = 0; waited < credentialWaitMs && !transact(() => sessions.knows(token)); waited += 25) await delay(25);
	}

	const handlers = createHandlers({
		origin: origin.replace(/\/+$/, ""),
		apiPath: `/${apiPath.replace(/^\/+|\/+$/g, "")}`.replace(/^\/$/, ""),
		accessTokenTtlMs,
		refreshTokenTtlMs,
		transact,
		awaitCredential,
		sessions,
		documents,
		faults,
		counters,
		portal,
		findUser,
		login,
	});

	return {
		handlers,
		counters: counters.counters,
		users,
		identityHeader,
		get portalUser() {
			return transact(() => portal.userId);
		},
		login,
		expireAccessTokens: () => transact(() => sessions.expireAccessTokens()),
		revokeSession: (sessionId) => transact(() => sessions.revoke(sessionId)),
		logoutEverywhere: (userId) => transact(() => sessions.revokeUser(userId)),
		switchIdentity(fromUserId, toUserId, loginOptions) {
			knownUser(toUserId);
			return transact(() => {
				sessions.revokeUser(fromUserId);
				portal.signIn(toUserId);
				return login(toUserId, loginOptions);
			});
		},
		setPortalUser(userId) {
			if (userId !== null) knownUser(userId);
			transact(() => portal.signIn(userId));
		},
		failNext: (route, failure, count) => transact(() => faults.failNext(route, failure, count)),
		setLatency: (route, ms) => transact(() => faults.setLatency(route, ms)),
		reset() {
			transact(() => {
				state.newEpoch();
				sessions.clear();
				faults.reset();
				counters.reset();
				portal.clear();
				documents.seed(userIds);
			});
		},
	};
}
