import type { HttpHandler } from "msw";
import { createCounters } from "./counters.js";
import type { MockAuthCounters } from "./counters.js";
import { createDocumentStore } from "./documents.js";
import { createFaults } from "./faults.js";
import type { Failure } from "./faults.js";
import { createHandlers } from "./handlers.js";
import type { LoginOptions, LoginResult } from "./loginEndpoint.js";
import { identityHeader } from "./responses.js";
import type { RouteName } from "./routes.js";
import { createSessionStore } from "./sessions.js";
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
};

export type MockAuthServer = {
	/** For `setupServer(...handlers)` or `setupWorker(...handlers)`. */
	readonly handlers: HttpHandler[];
	/** Live values: read them after the requests, no need to re-fetch the object. */
	readonly counters: MockAuthCounters;
	readonly users: readonly MockUser[];
	/** The response header naming the authenticated user. */
	readonly identityHeader: typeof identityHeader;
	/** Start a new session (and token family) for `userId`; the user's other sessions keep working. */
	login(userId: string, options?: LoginOptions): LoginResult;
	/** Every access token issued so far is expired from now on; refresh tokens are untouched. */
	expireAccessTokens(): void;
	/** End one session and its token family. Returns whether it was alive. */
	revokeSession(sessionId: string): boolean;
	/** An IdP-side logout: every session and token family of the user ends. Returns how many sessions ended. */
	logoutEverywhere(userId: string): number;
	/** End every session of `fromUserId` and log `toUserId` in, as when someone else signs in on the same browser. */
	switchIdentity(fromUserId: string, toUserId: string, options?: LoginOptions): LoginResult;
	/** The next `count` requests to `route` fail this way, before any other processing. */
	failNext(route: RouteName, failure: Failure, count?: number): void;
	setLatency(route: RouteName, ms: number): void;
	/** Forget every session, queued failure, latency change and counter; documents return to their seed. */
	reset(): void;
};

const day = 24 * 60 * 60 * 1000;

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

	const sessions = createSessionStore({ now, accessTokenTtlMs, refreshTokenTtlMs });
	const documents = createDocumentStore(now);
	const faults = createFaults(latency);
	const counters = createCounters();
	documents.seed(users.map((user) => user.id));

	function login(userId: string, { device = "browser", cookies = false }: LoginOptions = {}): LoginResult {
		if (!findUser(userId)) throw new Error(`Unknown user "${userId}"; known users: ${users.map((user) => user.id).join(", ")}`);
		const { session, tokens } = sessions.start(userId, device, cookies);
		const result: LoginResult = { ...tokens, sessionId: session.id };
		if (session.csrfToken !== undefined) result.csrfToken = session.csrfToken;
		return result;
	}

	function logoutEverywhere(userId: string): number {
		return sessions.revokeUser(userId);
	}

	const handlers = createHandlers({
		origin: origin.replace(/\/+$/, ""),
		apiPath: `/${apiPath.replace(/^\/+|\/+$/g, "")}`.replace(/^\/$/, ""),
		accessTokenTtlMs,
		refreshTokenTtlMs,
		sessions,
		documents,
		faults,
		counters,
		findUser,
		login,
	});

	return {
		handlers,
		counters: counters.counters,
		users,
		identityHeader,
		login,
		expireAccessTokens: () => sessions.expireAccessTokens(),
		revokeSession: (sessionId) => sessions.revoke(sessionId),
		logoutEverywhere,
		switchIdentity(fromUserId, toUserId, loginOptions) {
			logoutEverywhere(fromUserId);
			return login(toUserId, loginOptions);
		},
		failNext: (route, failure, count) => faults.failNext(route, failure, count),
		setLatency: (route, ms) => faults.setLatency(route, ms),
		reset() {
			sessions.clear();
			faults.reset();
			counters.reset();
			documents.seed(users.map((user) => user.id));
		},
	};
}
