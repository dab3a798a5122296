import { classifyChallenge, parseChallenges, type SafeChallenge } from "../auth/challenge.js";
import type { RecoveryState } from "../auth/types.js";
import { discard } from "../core/discard.js";
import { resolveUrl } from "../core/origins.js";
import type { RequestOptions } from "../core/requestOptions.js";
import { SupersededError, type SendRecord } from "../core/transport.js";
import { ApiError, AuthenticationError, InsufficientScopeError, NotReplayedError, StepUpRequiredError, UseDPoPNonceError } from "../errors.js";
import type { TokenSet } from "../tokens/types.js";
import { askSessionEnded } from "./askSessionEnded.js";
import { checkIdentity, classify, type Facts, type Verdict } from "./classify.js";
import { describe, foreignUnauthorized, throwIfDisposed, unauthorized, type ClientCore, type Mode } from "./context.js";
import { hopPlan, send } from "./send.js";
import { stepUp } from "./stepUp.js";

// RFC 9110 §9.2.2: these may be sent again; anything else that reached the server never is.
const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
// An identity that keeps changing, or a session that keeps answering 401 past every guard, ends the request here.
const maxRounds = 12;

/** One request: credentials only to trusted origins, stalls while the session is re-established, recovers from 401s. */
export async function request(core: ClientCore, path: string | URL, init: RequestOptions, mode: Mode): Promise<Response> {
	throwIfDisposed(core);
	const url = resolveUrl(path, core.baseUrl);
	if (init.auth === false || init.auth === "neutral" || !core.isTrusted(url)) return outside(core, path, url, init, mode);
	return new Exchange(core, url, init, mode).run();
}

/** A request whose answer says nothing about the session: untrusted, bare (`auth: false`) or `"neutral"`. */
async function outside(core: ClientCore, path: string | URL, url: URL, init: RequestOptions, mode: Mode): Promise<Response> {
	const session = init.auth === "neutral" && core.isTrusted(url);
	const generation = core.session.state.generation;
	const tokens = session ? await core.credentials.prepare(init.signal ?? undefined) : undefined;
	const record: SendRecord = { url: undefined, trusted: false };
	const plan = hopPlan(core, init, (init.method ?? "GET").toUpperCase(), tokens, session, generation);
	const response = await send(core, url, init, plan, record, mode.raw).catch((error: unknown) => {
		if (error instanceof SupersededError) return undefined;
		throw error;
	});
	// The session changed as it left: ask again with what is current.
	if (response === undefined) return request(core, path, init, mode);
	throwIfDisposed(core);
	if (response.status === 401 && !mode.raw) throw core.secrets.redact(await foreignUnauthorized(response, url, init));
	return response;
}

/** A trusted request's rounds: wait → send → classify → act, until an answer or an error is the caller's. */
class Exchange {
	private readonly method: string;
	private readonly signal: AbortSignal | undefined;
	private readonly recovery: RecoveryState = { retriedWithNewToken: false, refreshes: 0 };
	// A request begun before a sign-out belongs to the user who left: it never goes out with the next one's credentials.
	private readonly begun: number;
	private sawUnauthorized = false;
	// How the last round ended: its credentials died (a 401, a classifier match), or it failed (kept to rethrow).
	private diedLastRound = false;
	private lastFailure: unknown;
	private steppedUp = false;
	private nonceRetried = false;

	constructor(
		private readonly core: ClientCore,
		private readonly url: URL,
		private readonly init: RequestOptions,
		private readonly mode: Mode,
	) {
		this.method = (init.method ?? "GET").toUpperCase();
		this.signal = init.signal ?? undefined;
		this.begun = core.session.state.generation;
	}

	async run(): Promise<Response> {
		const { core } = this;
		for (let round = 0; ; round++) {
			const early = await this.wait(round);
			if (early) return early;
			const generation = core.session.state.generation;
			const tokens = await core.credentials.prepare(this.signal);
			throwIfDisposed(core);
			if (core.session.state.stalledSince !== null || core.session.state.generation !== generation) continue;
			const record: SendRecord = { url: undefined, trusted: true };
			core.lastCredential = core.credentials.credentialOf(tokens);
			let response: Response | undefined;
			let failure: unknown;
			try {
				response = await send(core, this.url, this.init, hopPlan(core, this.init, this.method, tokens, true, generation), record, this.mode.raw);
			} catch (error) {
				failure = error;
			}
			throwIfDisposed(core);
			if (failure instanceof SupersededError) continue;
			const facts = this.facts(response, failure, record, generation);
			let verdict = classify(facts, this.allowance());
			if (verdict.type === "ask") {
				facts.ended = await askSessionEnded(core, facts.answer, failure, this.url, this.init, this.mode.expectsJson);
				verdict = classify(facts, this.allowance());
			}
			const done = await this.act(verdict, facts, tokens);
			if (done) return done;
		}
	}

	/** Waits until requests may be sent; ends the request when the session is gone or rounds ran out. */
	private async wait(round: number): Promise<Response | undefined> {
		const { session } = this.core;
		try {
			await session.wait(this.signal);
			throwIfDisposed(this.core);
		} catch (error) {
			// Signed out while this request waited: `client.fetch` answers 401 like the server would.
			if (this.mode.raw && error instanceof AuthenticationError) return this.unauthenticated(undefined);
			throw error;
		}
		if (this.sawUnauthorized && session.state.status === "signedOut") return this.unauthenticated(undefined);
		if (round >= maxRounds) {
			// Round after round the credentials died, up to the last: the session cannot be re-established, so it ends
			// here, not in a loop.
			if (this.diedLastRound) {
				session.signOut("unauthorized");
				return this.unauthenticated(undefined);
			}
			// The last round failed (the network, while re-authentications came and went): that failure is the answer.
			if (this.lastFailure !== undefined) throw this.lastFailure;
			// The session changed under this request round after round: each answer was an older session's.
			throw new NotReplayedError({ request: describe(this.url, this.init) });
		}
		this.diedLastRound = false;
		this.lastFailure = undefined;
		if (round > 0 && session.state.signedOutAt > this.begun) return this.unauthenticated(undefined);
		return undefined;
	}

	private facts(response: Response | undefined, failure: unknown, record: SendRecord, generation: number): Facts {
		const { state } = this.core.session;
		const answer = response ?? (failure instanceof ApiError ? failure.response : undefined);
		if (answer && record.trusted) this.core.credentials.observe(answer, record.url);
		const challenge = record.trusted && answer && (answer.status === 401 || answer.status === 403) ? classifyChallenge(parseChallenges(answer.headers)) : undefined;
		if (challenge && challenge.kind !== "none") this.core.events.emit({ type: "challenge", kind: challenge.kind });
		return {
			response,
			failure,
			answer,
			trusted: record.trusted,
			redirected: record.redirected === true,
			stale: state.generation !== generation,
			status: state.status,
			challenge,
			ended: undefined,
			aborted: this.signal?.aborted === true || (failure as { name?: unknown } | null)?.name === "AbortError",
		};
	}

	private allowance() {
		return {
			idempotent: idempotentMethods.has(this.method),
			canStepUp: this.core.options.stepUp !== undefined,
			retriesNonce: this.core.credentials.retriesNonce,
			nonceRetried: this.nonceRetried,
			steppedUp: this.steppedUp,
		};
	}

	/** Does what the verdict says: resolves with the caller's answer, or undefined for another round. */
	private async act(verdict: Verdict, facts: Facts, tokens: TokenSet | undefined): Promise<Response | undefined> {
		const { core, url, init, mode } = this;
		const { session, secrets } = core;
		const { response, answer, challenge } = facts;
		const safe = challenge && "challenge" in challenge ? challenge.challenge : undefined;
		const details = { response: answer, request: describe(url, init), challenge: safe };
		switch (verdict.type) {
			case "ask":
				return undefined;
			case "foreign":
				if (response === undefined) throw facts.failure;
				if (response.status === 401 && !mode.raw) throw secrets.redact(await foreignUnauthorized(response, url, init));
				return response;
			case "retryNonce":
				if (response) discard(response);
				this.nonceRetried = true;
				return undefined;
			case "stepUp":
				if (response) discard(response);
				this.steppedUp = true;
				await stepUp(core, { acrValues: verdict.challenge.acrValues, maxAge: verdict.challenge.maxAge, request: details.request, challenge: verdict.challenge.challenge }, this.signal);
				return undefined;
			case "refused":
				// The session is fine: this request alone lacks something. `client.fetch` hands the answer over as it is.
				if (mode.raw && response) return response;
				if (response) discard(response);
				if (verdict.challenge.kind === "insufficient-scope") throw secrets.redact(new InsufficientScopeError(verdict.challenge.scope, details));
				if (verdict.challenge.kind === "dpop-nonce") throw secrets.redact(new UseDPoPNonceError(details));
				throw secrets.redact(new StepUpRequiredError(verdict.challenge, details));
			case "ended":
				if (answer) discard(answer);
				this.sawUnauthorized = this.diedLastRound = true;
				if (session.state.status === "signedOut") return this.unauthenticated(undefined, safe);
				if (!facts.stale) session.end(verdict.reason, core.lastCredential);
				if (!verdict.replay) await this.refuseReplay();
				return undefined;
			case "failed":
				// Failed while the session is being re-established (a reload under way, a sign-in in place): the failure is
				// likely the dead session's, so it waits like every other request instead of reaching the caller.
				if ((facts.stale || session.state.status === "reauthenticating") && !facts.aborted) {
					this.lastFailure = facts.failure;
					if (idempotentMethods.has(this.method)) return undefined;
					await this.settled();
				}
				throw facts.failure;
			case "redirected401":
				if (mode.raw) return response;
				throw secrets.redact(await foreignUnauthorized(response!, url, init));
			case "unauthorized":
				return this.recover(response!, facts.stale, tokens, safe);
			case "answer":
				return this.deliver(response!, facts.stale, tokens);
		}
	}

	private async recover(response: Response, stale: boolean, tokens: TokenSet | undefined, challenge: SafeChallenge | undefined) {
		const { core } = this;
		this.sawUnauthorized = this.diedLastRound = true;
		if (core.session.state.status === "signedOut") return this.unauthenticated(response, challenge);
		discard(response);
		// Sent with an older session's credentials, or during a re-authentication: try again with what is current.
		if (stale || core.session.state.status === "reauthenticating") return undefined;
		const next = await core.credentials.recover(tokens, this.recovery, this.signal);
		throwIfDisposed(core);
		if (next.type === "fail") throw next.error;
		if (next.type === "reauthenticate") core.session.end(next.reason, next.credential);
		return undefined;
	}

	private async deliver(response: Response, stale: boolean, tokens: TokenSet | undefined): Promise<Response | undefined> {
		const { core } = this;
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
		const idempotent = idempotentMethods.has(this.method);
		if (session.state.status === "signedOut" && session.state.stalledSince === null && idempotent) return this.unauthenticated(undefined);
		if (idempotent) return undefined;
		// It reached the server: sending it again could do it twice.
		return this.refuseReplay();
	}

	private async refuseReplay(): Promise<never> {
		await this.settled();
		throw new NotReplayedError({ request: describe(this.url, this.init) });
	}

	// The session has settled when nothing stalls: signed in again, or signed out.
	private async settled(): Promise<void> {
		try {
			await this.core.session.wait(this.signal);
			throwIfDisposed(this.core);
		} catch (error) {
			if (this.core.disposed.aborted || this.signal?.aborted) throw error;
		}
	}

	/** What the caller gets once the session is gone: `client.fetch` gets the 401 itself, so its own branch runs. */
	private unauthenticated(response: Response | undefined, challenge?: SafeChallenge): Response {
		if (this.mode.raw) return response ?? new Response(null, { status: 401, statusText: "Unauthorized" });
		throw unauthorized(response, this.url, this.init, challenge);
	}
}
