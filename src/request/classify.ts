import type { AuthChallenge } from "../auth/challenge.js";
import type { SessionReason, SessionStatus } from "../session/sessionState.js";

/** What one round learned: the answer and the session around it. */
export type Facts = {
	response: Response | undefined;
	failure: unknown;
	/** The response, or the one an HTTP error carries. */
	answer: Response | undefined;
	/** The request (and every hop of it) stayed on trusted origins with its credentials. */
	trusted: boolean;
	/** It got its answer through a redirect the transport followed. */
	redirected: boolean;
	/** The session moved on (sign-in, sign-out, re-authentication) while it was out. */
	stale: boolean;
	status: SessionStatus;
	/** A 401's or 403's challenge (RFC 6750 §3, RFC 9470, RFC 9449). */
	challenge: AuthChallenge | undefined;
	/** What the app's `sessionEnded` said; undefined until asked. */
	ended: SessionReason | false | null | undefined;
	/** The caller gave up (its signal aborted). */
	aborted: boolean;
};

/** What this request may still do, and has done. */
export type Allowance = {
	idempotent: boolean;
	canStepUp: boolean;
	retriesNonce: boolean;
	nonceRetried: boolean;
	steppedUp: boolean;
};

type LocalChallenge = Extract<AuthChallenge, { kind: "step-up" | "insufficient-scope" | "dpop-nonce" }>;

export type Verdict =
	/** The app's `sessionEnded` has to be asked first. */
	| { type: "ask" }
	/** Answered from outside the trusted origins: the caller gets it, the session hears nothing. */
	| { type: "foreign" }
	/** The session is dead. `replay` false: the server acted on a write, which is not sent twice. */
	| { type: "ended"; reason: SessionReason; replay: boolean }
	| { type: "retryNonce" }
	| { type: "stepUp"; challenge: Extract<AuthChallenge, { kind: "step-up" }> }
	/** The session is fine; this request alone lacks something (scope, a nonce, a stronger sign-in). */
	| { type: "refused"; challenge: LocalChallenge }
	| { type: "failed" }
	/** A 401 at the end of redirects may come from a hop that lost the token on the way: it says nothing certain. */
	| { type: "redirected401" }
	| { type: "unauthorized" }
	| { type: "answer" };

/** What a round's answer means for the request and the session. Pure: the loop acts on it. */
export function classify(facts: Facts, allowance: Allowance): Verdict {
	const { response, answer, challenge, ended } = facts;
	if (!facts.trusted) {
		// Redirected off the trusted origins: only the redirect itself may speak for the session, when the app's
		// classifier says so (an SSO portal's or auth proxy's login page).
		if (ended === undefined && answer) return { type: "ask" };
		return ended ? { type: "ended", reason: ended, replay: true } : { type: "foreign" };
	}
	const local = isLocal(challenge, facts.status) ? challenge : undefined;
	// RFC 9449 §9: the nonce came with this answer; one more try with it, which is no refresh and no re-authentication.
	if (local?.kind === "dpop-nonce" && allowance.retriesNonce && !allowance.nonceRetried) return { type: "retryNonce" };
	if (local?.kind === "step-up" && allowance.canStepUp && !allowance.steppedUp) return { type: "stepUp", challenge: local };
	if (local) return { type: "refused", challenge: local };
	if (response?.status !== 401) {
		if (ended === undefined) return { type: "ask" };
		// A 2xx answered directly says the server acted on it, whatever the body looks like: a write is not done twice.
		// One reached through a redirect is the login page's (seed 001): the write was turned away.
		if (ended) return { type: "ended", reason: ended, replay: !(answer?.ok && !answer.redirected && !facts.redirected && !allowance.idempotent) };
	}
	if (response === undefined) return { type: "failed" };
	if (response.status === 401) return response.redirected ? { type: "redirected401" } : { type: "unauthorized" };
	return { type: "answer" };
}

function isLocal(challenge: AuthChallenge | undefined, status: SessionStatus): challenge is LocalChallenge {
	const kind = challenge?.kind;
	return kind === "insufficient-scope" || kind === "dpop-nonce" || (kind === "step-up" && status !== "signedOut");
}

/**
 * Whether an answer may reach the caller, by the user it names. One sent under an older generation never pins anyone,
 * and is withheld when it names a user other than the pinned one. Without a user named, there is no evidence of anyone
 * else: the caller gets what it asked for.
 */
export function checkIdentity(seen: string | undefined, pinned: string | undefined, stale: boolean): "accept" | "pin" | "changed" | "withhold" {
	if (seen === undefined || seen === pinned) return "accept";
	if (stale) return "withhold";
	return pinned === undefined ? "pin" : "changed";
}
