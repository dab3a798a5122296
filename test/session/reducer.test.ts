// Every transition of the session, read as a table: from which state, on which event, to which state, and what the
// move cancels (see `cancelled` in src/session/reducer.ts). The session's dispatch acts on exactly these cancellations.
import { describe, expect, it } from "vitest";
import { cancelled, initialSessionState, reduce, type Cancellation, type SessionEvent, type SessionState } from "../../src/session/reducer.js";

const state = (patch: Partial<SessionState> = {}): SessionState => ({ ...initialSessionState, generation: 4, signedOutAt: 1, ...patch });
const error = new Error("gone");

const unknown = state();
const authenticated = state({ status: "authenticated", identity: "ada" });
const refreshing = state({ status: "refreshing", identity: "ada", statusBeforeRefresh: "authenticated" });
const reauthenticating = state({ status: "reauthenticating", reason: "unauthorized", identity: "ada", stalledSince: 4 });
const signingIn = state({ status: "authenticated", identity: "ada", signingIn: true, generation: 5, stalledSince: 5 });
const signingInWhileReauthenticating = state({ ...reauthenticating, signingIn: true, generation: 5 });
const signedOut = state({ status: "signedOut", reason: "unauthorized", generation: 4, signedOutAt: 4 });

type Row = [name: string, from: SessionState, event: SessionEvent, to: Partial<SessionState>, cancels: Cancellation[]];

const table: Row[] = [
	["a response proves an unknown session", unknown, { type: "proved" }, { status: "authenticated" }, []],
	["a late response never resurrects a signed-out session", signedOut, { type: "proved" }, {}, []],
	["a refresh starts from authenticated", authenticated, { type: "refreshStarted" }, { status: "refreshing", statusBeforeRefresh: "authenticated" }, []],
	["a refresh does not show while re-authenticating", reauthenticating, { type: "refreshStarted" }, {}, []],
	["a refresh does not show once signed out", signedOut, { type: "refreshStarted" }, {}, []],
	["a stored refresh authenticates", refreshing, { type: "refreshStored", rotated: "fp" }, { status: "authenticated" }, []],
	["a refresh stored late changes no other status", signedOut, { type: "refreshStored", rotated: undefined }, {}, []],
	["a refresh that failed returns to where it was", refreshing, { type: "refreshFailed", dead: false }, { status: "authenticated" }, []],
	["a refused refresh leaves the status to what follows", refreshing, { type: "refreshFailed", dead: true, credential: "at" }, {}, []],
	["re-authentication stalls requests in this generation", authenticated, { type: "reauthenticating", reason: "unauthorized" }, { status: "reauthenticating", reason: "unauthorized", stalledSince: 4 }, []],
	["re-authentication joins a sign-in's stall", signingIn, { type: "reauthenticating", reason: "refresh-failed" }, { status: "reauthenticating", reason: "refresh-failed" }, []],
	["re-authentication finished: new generation, nobody pinned, stall released", reauthenticating, { type: "reauthenticated" }, { status: "authenticated", reason: undefined, identity: undefined, generation: 5, stalledSince: null }, ["older results", "stall"]],
	["a step-up cancels nothing", authenticated, { type: "steppedUp" }, {}, []],
	["a sign-in begins: new generation, requests stall", authenticated, { type: "signingIn" }, { signingIn: true, generation: 5, stalledSince: 5 }, ["older results"]],
	["a sign-in during a re-authentication keeps its stall", reauthenticating, { type: "signingIn" }, { signingIn: true, generation: 5, stalledSince: 4 }, ["older results"]],
	["a sign-in that failed releases its stall", signingIn, { type: "signInFailed" }, { signingIn: false, stalledSince: null }, ["stall"]],
	["a sign-in that failed during a re-authentication keeps it stalled", signingInWhileReauthenticating, { type: "signInFailed" }, { signingIn: false }, []],
	["signed in: new generation, the identity given, stall released", signingIn, { type: "signedIn", identity: "bob" }, { signingIn: false, identity: "bob", generation: 6, stalledSince: null }, ["older results", "stall"]],
	["signed in ends a re-authentication joined during the write", signingInWhileReauthenticating, { type: "signedIn", identity: undefined }, { status: "authenticated", reason: undefined, signingIn: false, identity: undefined, generation: 6, stalledSince: null }, ["older results", "stall"]],
	["another tab's session is adopted", signedOut, { type: "adopted" }, { status: "unknown", reason: undefined, generation: 5 }, ["older results"]],
	["signed out: everything of the session is cancelled", reauthenticating, { type: "signedOut", reason: undefined, error }, { status: "signedOut", reason: undefined, identity: undefined, generation: 5, signedOutAt: 5, stalledSince: null }, ["older results", "waiting requests", "requests begun before"]],
	["signed out with nothing stalled", authenticated, { type: "signedOut", reason: "refresh-failed", error }, { status: "signedOut", reason: "refresh-failed", identity: undefined, generation: 5, signedOutAt: 5 }, ["older results", "requests begun before"]],
	["a sign-out ends a sign-in under way", signingIn, { type: "signedOut", reason: undefined, error }, { status: "signedOut", signingIn: false, identity: undefined, generation: 6, signedOutAt: 6, stalledSince: null }, ["older results", "waiting requests", "requests begun before"]],
	["the first user seen is pinned", authenticated, { type: "identityPinned", identity: "bob" }, { identity: "bob" }, []],
	["disposed: waiting requests reject", reauthenticating, { type: "disposed", error }, { disposed: true, stalledSince: null }, ["waiting requests"]],
	["disposed with nothing stalled", authenticated, { type: "disposed", error }, { disposed: true }, []],
];

describe("session reducer", () => {
	it.each(table)("%s", (_name, from, event, to, cancels) => {
		const next = reduce(from, event);
		expect(next).toEqual({ ...from, ...to });
		expect(cancelled(from, next)).toEqual(cancels);
	});

	it("should cover every event type", () => {
		const types = new Set(table.map(([, , event]) => event.type));
		const all: SessionEvent["type"][] = [
			"proved",
			"refreshStarted",
			"refreshStored",
			"refreshFailed",
			"reauthenticating",
			"reauthenticated",
			"steppedUp",
			"signingIn",
			"signedIn",
			"signInFailed",
			"adopted",
			"signedOut",
			"identityPinned",
			"disposed",
		];
		expect([...types].sort()).toEqual([...all].sort());
	});

	it("should never move the generation backwards, and cancel nothing when the state stays the same", () => {
		for (const [, from, event] of table) {
			const next = reduce(from, event);
			expect(next.generation).toBeGreaterThanOrEqual(from.generation);
			if (next === from) expect(cancelled(from, next)).toEqual([]);
		}
	});

	it("should not mutate the state it was given", () => {
		const frozen = Object.freeze({ ...reauthenticating });
		expect(() => reduce(frozen, { type: "signedOut", reason: undefined, error })).not.toThrow();
		expect(frozen.status).toBe("reauthenticating");
	});
});
