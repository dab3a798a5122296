import { randomId } from "./random.js";
import { arrayOf, entriesOf, isRecord, isTime } from "./snapshotGuards.js";

/** One login on one device. It is also the token family: every token issued for it dies with it. */
export type Session = {
	readonly id: string;
	readonly userId: string;
	readonly device: string;
	/** Set only for cookie sessions; a bearer-only session cannot be reached through the `sid` cookie. */
	readonly csrfToken: string | undefined;
	alive: boolean;
};

export type IssuedTokens = { accessToken: string; refreshToken: string; expiresAt: number };

export type RotationResult =
	| { ok: true; session: Session; tokens: IssuedTokens }
	| { ok: false; reason: "unknown" | "revoked" | "expired" | "reused" };

export type AccessCheck = { ok: true; session: Session } | { ok: false; reason: "invalid" | "expired" };

type TokenRecord = { sessionId: string; expiresAt: number };
type RefreshRecord = TokenRecord & { consumed: boolean };

/** The JSON form of every session and token record, consumed refresh tokens included. */
export type SessionsSnapshot = {
	sessions: { id: string; userId: string; device: string; csrfToken?: string; alive: boolean }[];
	accessTokens: [string, TokenRecord][];
	refreshTokens: [string, RefreshRecord][];
};

export type SessionStoreOptions = { now: () => number; accessTokenTtlMs: number; refreshTokenTtlMs: number };

export function createSessionStore({ now, accessTokenTtlMs, refreshTokenTtlMs }: SessionStoreOptions) {
	const sessions = new Map<string, Session>();
	const accessTokens = new Map<string, TokenRecord>();
	// Consumed refresh tokens are kept, not deleted: recognising a replay is the point of RFC 9700 §4.14.2.
	const refreshTokens = new Map<string, RefreshRecord>();

	function issue(session: Session): IssuedTokens {
		const issuedAt = now();
		const tokens = { accessToken: randomId("at"), refreshToken: randomId("rt"), expiresAt: issuedAt + accessTokenTtlMs };
		accessTokens.set(tokens.accessToken, { sessionId: session.id, expiresAt: tokens.expiresAt });
		refreshTokens.set(tokens.refreshToken, { sessionId: session.id, expiresAt: issuedAt + refreshTokenTtlMs, consumed: false });
		return tokens;
	}

	function sessionOf(record: TokenRecord | undefined): Session | undefined {
		return record && sessions.get(record.sessionId);
	}

	function clear(): void {
		sessions.clear();
		accessTokens.clear();
		refreshTokens.clear();
	}

	return {
		/** A new session with a new token family; other sessions of the same user are left alone. */
		start(userId: string, device: string, cookies: boolean): { session: Session; tokens: IssuedTokens } {
			const session: Session = { id: randomId("ses"), userId, device, csrfToken: cookies ? randomId("csrf") : undefined, alive: true };
			sessions.set(session.id, session);
			return { session, tokens: issue(session) };
		},

		rotate(refreshToken: string): RotationResult {
			const record = refreshTokens.get(refreshToken);
			const session = sessionOf(record);
			if (!record || !session) return { ok: false, reason: "unknown" };
			if (record.consumed) {
				// A replay means two parties hold the family; ending it locks out whichever one is the attacker.
				session.alive = false;
				return { ok: false, reason: "reused" };
			}
			if (!session.alive) return { ok: false, reason: "revoked" };
			if (now() >= record.expiresAt) return { ok: false, reason: "expired" };
			record.consumed = true;
			return { ok: true, session, tokens: issue(session) };
		},

		checkAccessToken(accessToken: string): AccessCheck {
			const record = accessTokens.get(accessToken);
			const session = sessionOf(record);
			if (!record || !session?.alive) return { ok: false, reason: "invalid" };
			if (now() >= record.expiresAt) return { ok: false, reason: "expired" };
			return { ok: true, session };
		},

		/** Whether this token was ever issued (alive or not). */
		knows(token: string): boolean {
			return accessTokens.has(token) || refreshTokens.has(token);
		},

		/** The live cookie session named by a `sid` cookie value, if any. */
		cookieSession(sid: string): Session | undefined {
			const session = sessions.get(sid);
			return session?.alive && session.csrfToken !== undefined ? session : undefined;
		},

		revoke(sessionId: string): boolean {
			const session = sessions.get(sessionId);
			if (!session?.alive) return false;
			session.alive = false;
			return true;
		},

		revokeUser(userId: string): number {
			let ended = 0;
			for (const session of sessions.values()) {
				if (session.userId === userId && session.alive) {
					session.alive = false;
					ended++;
				}
			}
			return ended;
		},

		expireAccessTokens(): void {
			const at = now();
			for (const record of accessTokens.values()) record.expiresAt = Math.min(record.expiresAt, at);
		},

		clear,

		snapshot(): SessionsSnapshot {
			return {
				sessions: Array.from(sessions.values(), ({ id, userId, device, csrfToken, alive }) =>
					csrfToken === undefined ? { id, userId, device, alive } : { id, userId, device, csrfToken, alive },
				),
				accessTokens: Array.from(accessTokens, ([token, record]) => [token, { ...record }]),
				refreshTokens: Array.from(refreshTokens, ([token, record]) => [token, { ...record }]),
			};
		},

		/**
		 * Adds what another instance knows. Every change here only goes one way (a session dies, a refresh token
		 * is consumed, an access token expires sooner), so merging in any order gives the same backend.
		 */
		merge(snapshot: SessionsSnapshot): void {
			for (const { csrfToken, ...session } of snapshot.sessions) {
				const known = sessions.get(session.id);
				if (known) known.alive &&= session.alive;
				else sessions.set(session.id, { ...session, csrfToken });
			}
			for (const [token, record] of snapshot.accessTokens) {
				const known = accessTokens.get(token);
				if (known) known.expiresAt = Math.min(known.expiresAt, record.expiresAt);
				else accessTokens.set(token, { ...record });
			}
			for (const [token, record] of snapshot.refreshTokens) {
				const known = refreshTokens.get(token);
				if (known) known.consumed ||= record.consumed;
				else refreshTokens.set(token, { ...record });
			}
		},
	};
}

export type SessionStore = ReturnType<typeof createSessionStore>;

function isTokenRecord(value: unknown): value is TokenRecord {
	return isRecord(value) && typeof value.sessionId === "string" && isTime(value.expiresAt);
}

function isRefreshRecord(value: unknown): value is RefreshRecord {
	return isTokenRecord(value) && typeof (value as Record<string, unknown>).consumed === "boolean";
}

function isSessionSnapshot(value: unknown): value is SessionsSnapshot["sessions"][number] {
	if (!isRecord(value)) return false;
	const { id, userId, device, csrfToken, alive } = value;
	return typeof id === "string" && typeof userId === "string" && typeof device === "string" && typeof alive === "boolean" && (csrfToken === undefined || typeof csrfToken === "string");
}

export function parseSessionsSnapshot(value: unknown): SessionsSnapshot | undefined {
	if (!isRecord(value)) return undefined;
	const sessions = arrayOf(value.sessions, isSessionSnapshot);
	const accessTokens = entriesOf(value.accessTokens, isTokenRecord);
	const refreshTokens = entriesOf(value.refreshTokens, isRefreshRecord);
	return sessions && accessTokens && refreshTokens && { sessions, accessTokens, refreshTokens };
}
