import { HttpResponse } from "msw";
import type { CounterControls } from "./counters.js";
import { csrfHeader, invalidTokenChallenge, sessionCookie, unauthorized } from "./responses.js";
import type { Session, SessionStore } from "./sessions.js";
import type { MockUser } from "./users.js";

export type Caller = { user: MockUser; session: Session };

export type AuthenticationContext = {
	sessions: SessionStore;
	counters: CounterControls;
	findUser(id: string): MockUser | undefined;
};

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function bearerToken(request: Request): string | undefined {
	return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

/**
 * Who is calling, or the response that refuses them. Order: bearer token (with Nextcloud's cookie check),
 * then the `sid` session cookie (with CSRF on unsafe methods), then nothing.
 */
export function authenticate(request: Request, cookies: Record<string, string>, context: AuthenticationContext): Caller | Response {
	const { sessions, counters, findUser } = context;
	const sid = cookies[sessionCookie];
	const cookieSession = sid === undefined ? undefined : sessions.cookieSession(sid);
	const hasValidCsrf = cookieSession !== undefined && request.headers.get(csrfHeader) === cookieSession.csrfToken;
	const token = bearerToken(request);

	if (token !== undefined) {
		// Nextcloud logs out a cookie session that arrives on a bearer call without its CSRF token:
		// a client that leaks cookies onto bearer calls loses its cookie login, and the test sees it.
		if (cookieSession && !hasValidCsrf) {
			sessions.revoke(cookieSession.id);
			counters.increment("cookieSessionLogouts");
			return unauthorized({ clearSessionCookie: true });
		}
		const check = sessions.checkAccessToken(token);
		const staleCookie = sid !== undefined && cookieSession === undefined;
		if (!check.ok) {
			const description = check.reason === "expired" ? "The access token expired" : undefined;
			return unauthorized({ challenge: invalidTokenChallenge(description), clearSessionCookie: staleCookie });
		}
		return toCaller(check.session, findUser) ?? unauthorized({ challenge: invalidTokenChallenge() });
	}

	if (sid !== undefined) {
		if (!cookieSession) return unauthorized({ clearSessionCookie: true });
		if (unsafeMethods.has(request.method) && !hasValidCsrf) return HttpResponse.json({ error: "csrf_mismatch" }, { status: 403 });
		return toCaller(cookieSession, findUser) ?? unauthorized({ clearSessionCookie: true });
	}

	return unauthorized();
}

function toCaller(session: Session, findUser: AuthenticationContext["findUser"]): Caller | undefined {
	const user = findUser(session.userId);
	return user && { user, session };
}
