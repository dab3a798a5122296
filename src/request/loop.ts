import { classifyChallenge, parseChallenges, type SafeChallenge } from "../auth/challenge.js";
import type { RecoveryState } from "../auth/types.js";
import { discard } from "../core/discard.js";
import { disposedError } from "../core/disposedError.js";
import { resolveUrl } from "../core/origins.js";
import type { RequestOptions } from "../core/requestOptions.js";
import { SupersededError, type SendRecord } from "../core/transport.js";
import {
	ApiError,
	AuthenticationError,
	BodyNotReplayableError,
	InsufficientScopeError,
	InvalidDPoPProofError,
	NotReplayedError,
	StepUpRequiredError,
	UseDPoPNonceError,
} from "../errors.js";
import type { TokenSet } from "../tokens/types.js";
import { askSessionEnded } from "./askSessionEnded.js";
import { checkIdentity, classify, type Facts, type Verdict } from "./classify.js";
import { describe, foreignUnauthorized, readErrorData, throwIfDisposed, unauthorized, type ClientCore, type Mode } from "./context.js";
import { hopPlan, isStream, send } from "./send.js";
import { stepUp } from "./stepUp.js";

// RFC 9110 §9.2.2: these may be sent again; anything else that reached the server never is.
const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
// An identity that keeps changing, or a session that keeps answering 401 past every guard, ends the request here.
const maxRounds = 12;

/** One request: credentials only to trusted origins, stalls while the session is re-established, recovers from 401s. */
export function request(core: ClientCore, path: string | URL, init: RequestOptions, mode: Mode): Promise<Response> {
	try {
		if (core.disposed.aborted) throw disposedError();
		const url = resolveUrl(path, core.baseUrl);
		if (init.auth === false || init.auth === "neutral" || !core.isTrusted(url)) return outside(core, url, init, mode);
		// A stalled request waits before it holds anything else (10,000 of them may wait out a reload), then starts over.
		const waiting = core.session.wait(init.signal ?? undefined);
		if (waiting) return waiting.then(() => request(core, path, init, mode), (error: unknown) => stallFailed(error, mode));
		return new Exchange(core, url, init, mode).run();
	} catch (error) {
		return Promise.reject(error);
	}
}

// Signed out while waiting: `client.fetch` answers 401 like the server would; the rest reject with the stall's error.
function stallFailed(error: unknown, mode: Mode): Response {
	if (mode.raw && error instanceof AuthenticationError) return new Response(null, { status: 401, statusText: "Unauthorized" });
	throw error;
}

/**
 * A request whose answer says nothing about the session: untrusted, bare (`auth: false`) or `"neutral"`. It never waits
 * for the session, and is sent again only when the session moved on as it left (its credentials are outdated): every
 * new try follows an external event, so it never loops in microtasks.
 */
async function outside(core: ClientCore, url: URL, init: RequestOptions, mode: Mode): Promise<Response> {
	const session = init.auth === "neutral" && core.isTrusted(url) ? "neutral" : false;
	for (;;) {
		const generation = core.session.state.generation;
		const tokens = session ? await core.credentials.prepare(init.signal ?? undefined) : undefined;
		const record: SendRecord = { url: undefined, trusted: false };
		const plan = hopPlan(core, init, (init.method ?? "GET").toUpperCase(), tokens, session, generation);
		const response = await send(core, url, init, plan, record, mode.raw).catch((error: unknown) => {
			if (error instanceof SupersededError) return undefined;
			throw error;
		});
		throwIfDisposed(core);
		// The session changed as it left: ask again with what is current.
		if (response === undefined) continue;
		if (response.status === 401 && !mode.raw) throw core.secrets.redact(await foreignUnauthorized(response, url, init));
		return response;
	}
}

/** A trusted request's rounds: wait → send → classify → act, until an answer or an error is the caller's. */
class Exchange {
	readonly #method: string;
	readonly #signal: AbortSignal | undefined;
	readonly #recovery: RecoveryState = { retriedWithNewToken: false, refreshes: 0 };
	// A request begun before a sign-out belongs to the user who left: it never goes out with the next one's credentials.
	readonly #begun: number;
	#sawUnauthorized = false;
	// How the last round ended: its credentials died (a 401, a classifier match), or it failed (kept to rethrow).
	#diedLastRound = false;
	#lastFailure: unknown;
	#steppedUp = false;
	#nonceRetried = false;
	#proofRetried = false;
	// A stream body, once it has left, cannot go again: a round that would resend it fails instead.
	#streamSent = false;

	readonly #core: ClientCore;
	readonly #url: URL;
	readonly #init: RequestOptions;
	readonly #mode: Mode;

	constructor(core: ClientCore, url: URL, init: RequestOptions, mode: Mode) {
		this.#core = core;
		this.#url = url;
		this.#init = init;
		this.#mode = mode;
		this.#method = (init.method ?? "GET").toUpperCase();
		this.#signal = init.signal ?? undefined;
		this.#begun = core.session.state.generation;
	}

	async run(): Promise<Response> {
		const core = this.#core;
		for (let round = 0; ; round++) {
			// Awaited here, in the loop's own frame, and only while something stalls: a stalled request holds as little as
			// it can (10,000 of them wait out a reload).
			// Without a stall it still yields once, as it always has: what the caller does right after calling goes first.
			try {
				do await core.session.wait(this.#signal);
				while (core.session.state.stalledSince !== null);
			} catch (error) {
				return stallFailed(error, this.#mode);
			}
			throwIfDisposed(core);
			const early = this.#check(round);
			if (early) return early;
			const generation = core.session.state.generation;
			const tokens = await core.credentials.prepare(this.#signal, this.#recovery);
			throwIfDisposed(core);
			if (core.session.state.stalledSince !== null || core.session.state.generation !== generation) continue;
			if (this.#streamSent) throw new BodyNotReplayableError("The request has to be sent again for the current session", { request: describe(this.#url, this.#init) });
			const record: SendRecord = { url: undefined, trusted: true };
			core.lastCredential = core.credentials.credentialOf(tokens);
			let response: Response | undefined;
			let failure: unknown;
			try {
				response = await send(core, this.#url, this.#init, hopPlan(core, this.#init, this.#method, tokens, true, generation), record, this.#mode.raw);
			} catch (error) {
				failure = error;
			}
			throwIfDisposed(core);
			this.#streamSent = record.sent === true && isStream(this.#init.body);
			if (failure instanceof SupersededError) continue;
			const facts = this.#facts(response, failure, record, generation);
			let verdict = classify(facts, this.#allowance());
			if (verdict.type === "ask") {
				facts.ended = await askSessionEnded(core, facts.answer, failure, this.#url, this.#init, this.#mode.expectsJson, record.redirects);
				verdict = classify(facts, this.#allowance());
			}
			const done = await this.#act(verdict, facts, tokens);
			if (done) return done;
		}
	}

	/** Once requests may be sent: ends the request when the session is gone or rounds ran out. */
	#check(round: number): Response | undefined {
		const { session } = this.#core;
		if (this.#sawUnauthorized && session.state.status === "signedOut") return this.#unauthenticated(undefined);
		if (round >= maxRounds) {
			// Round after round the credentials died, up to the last: the session cannot be re-established, so it ends
			// here, not in a loop.
			if (this.#diedLastRound) {
				session.signOut("unauthorized");
				return this.#unauthenticated(undefined);
			}
			// The last round failed (the network, while re-authentications came and went): that failure is the answer.
			if (this.#lastFailure !== undefined) throw this.#lastFailure;
			// The session changed under this request round after round: each answer was an older session's.
			throw new NotReplayedError({ request: describe(this.#url, this.#init) });
		}
		this.#diedLastRound = false;
		this.#lastFailure = undefined;
		if (round > 0 && session.state.signedOutAt > this.#begun) return this.#unauthenticated(undefined);
		return undefined;
	}

	#facts(response: Response | undefined, failure: unknown, record: SendRecord, generation: number): Facts {
		const { state } = this.#core.session;
		const answer = response ?? (failure instanceof ApiError ? failure.response : undefined);
		if (answer && record.trusted) this.#core.credentials.observe(answer, record.url);
		const challenge = record.trusted && answer && (answer.status === 401 || answer.status === 403) ? classifyChallenge(parseChallenges(answer.headers)) : undefined;
		if (challenge && challenge.kind !== "none") this.#core.events.emit({ type: "challenge", kind: challenge.kind });
		return {
			response,
			failure,
			answer,
			trusted: record.trusted,
			redirected: record.redirected === true,
			atRedirectOrigin: !record.trusted && record.url !== undefined && this.#core.isRedirectOrigin(new URL(record.url)),
			stale: state.generation !== generation,
			status: state.status,
			challenge,
			ended: undefined,
			aborted: this.#signal?.aborted === true || (failure as { name?: unknown } | null)?.name === "AbortError",
		};
	}

	#allowance() {
		return {
			idempotent: idempotentMethods.has(this.#method),
			canStepUp: this.#core.options.stepUp !== undefined,
			retriesNonce: this.#core.credentials.retriesNonce,
			nonceRetried: this.#nonceRetried,
			steppedUp: this.#steppedUp,
			signs: this.#core.credentials.sign !== undefined,
			proofRetried: this.#proofRetried,
		};
	}

	/** Does what the verdict says: resolves with the caller's answer, or undefined for another round. */
	async #act(verdict: Verdict, facts: Facts, tokens: TokenSet | undefined): Promise<Response | undefined> {
		const core = this.#core, url = this.#url, init = this.#init, mode = this.#mode;
		const { session, secrets } = core;
		const { response, answer, challenge } = facts;
		const safe = challenge && "challenge" in challenge ? challenge.challenge : undefined;
		const details = { response: answer, request: describe(url, init), challenge: safe, data: facts.failure instanceof ApiError ? facts.failure.data : undefined };
		switch (verdict.type) {
			case "ask":
				return undefined;
			case "foreign":
				if (response === undefined) throw facts.failure;
				if (response.status === 401 && !mode.raw) throw secrets.redact(await foreignUnauthorized(response, url, init));
				return response;
			case "retryNonce":
				if (response) discard(response);
				this.#nonceRetried = true;
				return undefined;
			case "retryProof":
				if (response) discard(response);
				this.#proofRetried = true;
				return undefined;
			case "badProof":
				// This request alone failed: nothing is refreshed, the session is untouched.
				if (mode.raw && response) return response;
				if (response) discard(response);
				throw secrets.redact(new InvalidDPoPProofError(details));
			case "stepUp":
				if (response) discard(response);
				this.#steppedUp = true;
				await stepUp(core, { acrValues: verdict.challenge.acrValues, maxAge: verdict.challenge.maxAge, request: details.request, challenge: verdict.challenge.challenge }, this.#signal);
				return undefined;
			case "refused":
				// The session is fine: this request alone lacks something. `client.fetch` hands the answer over as it is.
				if (mode.raw && response) return response;
				// The body says what the user must do ("Exports need a second factor"): the error's message carries it.
				if (response) Object.assign(details, { data: await readErrorData(response) });
				if (verdict.challenge.kind === "insufficient-scope") throw secrets.redact(new InsufficientScopeError(verdict.challenge.scope, details));
				if (verdict.challenge.kind === "dpop-nonce") throw secrets.redact(new UseDPoPNonceError(details));
				throw secrets.redact(new StepUpRequiredError(verdict.challenge, details));
			case "ended":
				if (answer) discard(answer);
				this.#sawUnauthorized = this.#diedLastRound = true;
				// A write the server carried out (`replay` false) is never sent again, and its caller hears so, also when
				// another request signed the session out first.
				if (session.state.status === "signedOut" && verdict.replay) return this.#unauthenticated(undefined, safe);
				if (!facts.stale && session.state.status !== "signedOut") session.end(verdict.reason, core.lastCredential);
				if (!verdict.replay) await this.#refuseReplay();
				return undefined;
			case "failed":
				// Failed while the session is being re-established (a reload under way, a sign-in in place): the failure is
				// likely the dead session's, so it waits like every other request instead of reaching the caller.
				if ((facts.stale || session.state.status === "reauthenticating") && !facts.aborted) {
					this.#lastFailure = facts.failure;
					if (idempotentMethods.has(this.#method)) return undefined;
					await this.#settled();
				}
				throw facts.failure;
			case "redirected401":
				if (mode.raw) return response;
				throw secrets.redact(await foreignUnauthorized(response!, url, init));
			case "unauthorized":
				return this.#recover(response!, facts.stale, tokens, safe);
			case "answer":
				return this.#deliver(response!, facts.stale, tokens);
		}
	}

	async #recover(response: Response, stale: boolean, tokens: TokenSet | undefined, challenge: SafeChallenge | undefined) {
		const core = this.#core;
		this.#sawUnauthorized = this.#diedLastRound = true;
		if (core.session.state.status === "signedOut") return this.#unauthenticated(response, challenge);
		discard(response);
		// Sent with an older session's credentials, or during a re-authentication: try again with what is current.
		if (stale || core.session.state.status === "reauthenticating") return undefined;
		const next = await core.credentials.recover(tokens, this.#recovery, this.#signal);
		throwIfDisposed(core);
		if (next.type === "fail") throw next.error;
		if (next.type === "reauthenticate") core.session.end(next.reason, next.credential);
		return undefined;
	}

	async #deliver(response: Response, stale: boolean, tokens: TokenSet | undefined): Promise<Response | undefined> {
		const core = this.#core;
		const { session } = core;
		const seen = core.options.identity?.(response) || undefined;
		const verdict = checkIdentity(seen, session.state.identity, stale);
		if (verdict === "pin" || verdict === "changed") core.tabs?.publish({ type: "identity", identity: seen! });
		if (verdict === "pin") session.dispatch({ type: "identityPinned", identity: seen! });
		if (verdict === "changed") session.end("identity-changed", `identity:${seen}`);
		if (verdict === "accept" || verdict === "pin") {
			if (response.ok && core.credentials.proves(tokens)) session.dispatch({ type: "proved" });
			return response;
		}
		discard(response);
		const idempotent = idempotentMethods.has(this.#method);
		if (session.state.status === "signedOut" && session.state.stalledSince === null && idempotent) return this.#unauthenticated(undefined);
		if (idempotent) return undefined;
		// It reached the server: sending it again could do it twice.
		return this.#refuseReplay();
	}

	async #refuseReplay(): Promise<never> {
		await this.#settled();
		throw new NotReplayedError({ request: describe(this.#url, this.#init) });
	}

	// The session has settled when nothing stalls: signed in again, or signed out.
	async #settled(): Promise<void> {
		try {
			for (let waiting = this.#core.session.wait(this.#signal); waiting; waiting = this.#core.session.wait(this.#signal)) await waiting;
			throwIfDisposed(this.#core);
		} catch (error) {
			if (this.#core.disposed.aborted || this.#signal?.aborted) throw error;
		}
	}

	/** What the caller gets once the session is gone: `client.fetch` gets the 401 itself, so its own branch runs. */
	#unauthenticated(response: Response | undefined, challenge?: SafeChallenge): Response {
		if (this.#mode.raw) return response ?? new Response(null, { status: 401, statusText: "Unauthorized" });
		throw unauthorized(response, this.#url, this.#init, challenge);
	}
}
