// Property-based check of the concurrency rules: random schedules of requests, expiries, refresh
// outcomes, identity changes, aborts, re-authentication outcomes and tabs, with invariants after each.
// A failure prints fast-check's seed and shrunk schedule; replay with FC_SEED=<seed> FC_PATH=<path>.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, createClient, isApiError, storageTokenStore, type Client, type RefreshFunction, type SessionStatus } from "../../src/index.js";
import type { BroadcastChannelLike } from "../../src/tabs/tabSync.js";
import { memoryStorage } from "../helpers/storage.js";
import { fakeLocks } from "../helpers/tabs.js";
import { simulatedBackend, type RefreshOutcome } from "../fixtures/simulatedBackend.js";

const runs = Number(process.env.FC_RUNS ?? 1_000);

type Step =
	| { kind: "request"; tab: number; abortAfterMs: number | null }
	| { kind: "wait"; ms: number }
	| { kind: "reload"; tab: number }
	| { kind: "refreshOutcomes"; outcomes: RefreshOutcome[] }
	| { kind: "revoke" }
	| { kind: "switchUser" }
	| { kind: "impersonate" }
	/** The next refresh call never answers and ignores its signal; `frozen`: its tab freezes with it, locks held. */
	| { kind: "stuck"; frozen: boolean };

type ReauthOutcome = "navigate" | "resolve" | "reject";

type World = "mixed" | "networkOnly" | "reloadLoop" | "stuckHolder";

/**
 * Three worlds: everything mixed; a network-only world where the server never rejects a credential (so
 * nobody may be signed out); and a dead session that keeps being reloaded (so the loop guard must hold).
 */
function stepArbitrary(world: World): fc.Arbitrary<Step> {
	const outcomes: RefreshOutcome[] = world === "networkOnly" ? ["ok", "network", "timeout", "slow", "late", "lost"] : ["ok", "invalid_grant", "network", "timeout", "slow", "late", "lost"];
	const common = [
		{ weight: 6, arbitrary: fc.record({ kind: fc.constant("request" as const), tab: fc.nat(2), abortAfterMs: fc.option(fc.integer({ min: 0, max: 400 })) }) },
		// Mostly short waits, so requests overlap refreshes and re-authentications; some long ones, so tokens expire.
		{ weight: 4, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 1_500 })) }) },
		{ weight: world === "reloadLoop" ? 4 : 1, arbitrary: fc.record({ kind: fc.constant("reload" as const), tab: fc.nat(2) }) },
	];
	if (world === "reloadLoop") return fc.oneof(...common);
	if (world === "stuckHolder") {
		return fc.oneof(
			...common,
			{ weight: 2, arbitrary: fc.record({ kind: fc.constant("refreshOutcomes" as const), outcomes: fc.array(fc.constantFrom<RefreshOutcome>("ok", "network", "slow"), { minLength: 1, maxLength: 3 }) }) },
			{ weight: 3, arbitrary: fc.record({ kind: fc.constant("stuck" as const), frozen: fc.boolean() }) },
		);
	}
	const refresh = {
		weight: world === "networkOnly" ? 4 : 2,
		arbitrary: fc.record({ kind: fc.constant("refreshOutcomes" as const), outcomes: fc.array(fc.constantFrom(...outcomes), { minLength: 1, maxLength: 3 }) }),
	};
	if (world === "networkOnly") return fc.oneof(...common, refresh);
	return fc.oneof(
		...common,
		refresh,
		{ weight: 1, arbitrary: fc.constant({ kind: "revoke" as const }) },
		{ weight: 1, arbitrary: fc.constant({ kind: "switchUser" as const }) },
		{ weight: 1, arbitrary: fc.constant({ kind: "impersonate" as const }) },
	);
}

function scheduleArbitrary(world: World) {
	return fc.record({
		world: fc.constant(world),
		tabs: fc.integer({ min: 1, max: 3 }),
		reauth: world === "reloadLoop" ? fc.constant<ReauthOutcome>("navigate") : world === "stuckHolder" ? fc.constant<ReauthOutcome>("resolve") : fc.constantFrom<ReauthOutcome>("navigate", "resolve", "reject"),
		steps: fc.array(stepArbitrary(world), { minLength: 1, maxLength: world === "reloadLoop" ? 40 : 25 }),
	});
}

/** A BroadcastChannel stand-in that delivers to the other tabs in a microtask. */
function channelHub() {
	const members = new Set<{ deliver: (data: unknown) => void }>();
	return () => {
		const listeners = new Set<(event: { data: unknown }) => void>();
		const member = { deliver: (data: unknown) => listeners.forEach((listener) => listener({ data })) };
		members.add(member);
		const channel: BroadcastChannelLike = {
			postMessage: (data) => members.forEach((other) => other !== member && queueMicrotask(() => other.deliver(data))),
			addEventListener: (_, listener) => void listeners.add(listener),
			removeEventListener: (_, listener) => void listeners.delete(listener),
			close: () => void members.delete(member),
		};
		return channel;
	};
}

type Tracked = {
	tab: number;
	client: Client;
	startedAt: number;
	settledAt?: number;
	state: "pending" | "fulfilled" | "rejected";
	error?: unknown;
	statusAtRejection?: SessionStatus;
	aborted: boolean;
};

type Schedule = ReturnType<typeof scheduleArbitrary> extends fc.Arbitrary<infer T> ? T : never;

async function runSchedule(schedule: Schedule) {
	// `late` answers 200 ms after refreshTimeoutMs (500 ms), while the tab waits for it; `lost` at 1,400 ms, after the
	// tab gave up waiting (at 1,000 ms) but still holds the lock.
	const backend = simulatedBackend({ accessTtlMs: 1_000, leewayMs: 100, latency: () => 20, lateMs: 700 });
	const localStorage = memoryStorage();
	const store = storageTokenStore(localStorage, "tokens");
	await store.set(backend.issue());
	if (schedule.world === "reloadLoop") {
		// A dead session from the first request on: refresh token revoked, access token expired.
		backend.revokeAll();
		await vi.advanceTimersByTimeAsync(1_100);
	}
	const locks = fakeLocks();
	const openChannel = channelHub();
	const problems: string[] = [];
	const reauthCalls: number[] = [];
	const reauthEntries: number[] = [];

	const maxAttempts = 2;
	// Reauthentications per tab since the last success anywhere; the loop guard must keep it within maxAttempts.
	const sinceSuccess: number[] = Array(schedule.tabs).fill(0);
	// A hung or frozen lock holder: the refresh tokens its calls presented (never presented again), the tabs frozen.
	let stuckNext: { frozen: boolean } | undefined;
	const hung = new Set<string | undefined>();
	const frozen = new Set<Client>();
	function refreshOf(tab: number): RefreshFunction {
		return (context) => {
			if (hung.has(context.refreshToken)) problems.push(`tab ${tab} presented ${context.refreshToken}, which a hung call still holds`);
			if (!stuckNext) return backend.refresh(context);
			hung.add(context.refreshToken);
			// A frozen tab does nothing more, and keeps its locks (its refresher holds them while the call is unsettled).
			if (stuckNext.frozen) queueMicrotask(() => frozen.add(tabs[tab]!));
			stuckNext = undefined;
			return new Promise<never>(() => {});
		};
	}
	function openTab(tab: number): Client {
		const client: Client = createClient({
			baseUrl: "https://app.example/api/",
			auth: { type: "bearer", store, refresh: refreshOf(tab), refreshTimeoutMs: 500, refreshRetry: { limit: 1, delayMs: 50 } },
			identity: (response) => response.headers.get("x-user-id"),
			refreshLeewayMs: 100,
			reloadGuard: { storage: localStorage, history: null, tabId: `tab-${tab}`, maxAttempts },
			// The stuck-holder world runs with the default lockTimeoutMs: the 10 s bound is the defaults'.
			tabs: { name: "prop", locks: locks.locks, channel: openChannel(), visibility: null, ...(schedule.world === "stuckHolder" ? {} : { lockTimeoutMs: 5_000 }) },
			ky: { fetch: backend.fetch, retry: 0, timeout: false },
			reauthenticate: () => {
				reauthCalls[tab]!++;
				sinceSuccess[tab]!++;
				if (sinceSuccess[tab]! > maxAttempts) problems.push(`tab ${tab}: ${sinceSuccess[tab]} reauthentications without a success in between`);
				if (client.session.getSnapshot().status !== "reauthenticating") problems.push(`tab ${tab}: reauthenticate called outside reauthenticating`);
				if (schedule.reauth === "navigate") return undefined;
				return new Promise((resolve, reject) =>
					setTimeout(() => (schedule.reauth === "resolve" ? resolve(backend.issue()) : reject(new Error("popup closed"))), 100),
				);
			},
		});
		let previous = client.session.getSnapshot().status;
		client.session.subscribe((snapshot) => {
			if (snapshot.status === "reauthenticating" && previous !== "reauthenticating") reauthEntries[tab]!++;
			previous = snapshot.status;
		});
		return client;
	}
	const tabs: Client[] = Array.from({ length: schedule.tabs }, (_, tab) => {
		reauthCalls[tab] = 0;
		reauthEntries[tab] = 0;
		return openTab(tab);
	});

	const requests: Tracked[] = [];
	for (const step of schedule.steps) {
		switch (step.kind) {
			case "request": {
				const tab = step.tab % tabs.length;
				const client = tabs[tab]!;
				if (frozen.has(client)) break;
				const controller = new AbortController();
				const tracked: Tracked = { tab, client, state: "pending", aborted: false, startedAt: Date.now() };
				if (step.abortAfterMs !== null) {
					setTimeout(() => {
						tracked.aborted = true;
						controller.abort();
					}, step.abortAfterMs);
				}
				client.get("thing", { signal: controller.signal }).then(
					() => {
						Object.assign(tracked, { state: "fulfilled", settledAt: Date.now() });
						sinceSuccess.fill(0);
					},
					(error: unknown) => Object.assign(tracked, { state: "rejected", error, statusAtRejection: client.session.getSnapshot().status, settledAt: Date.now() }),
				);
				requests.push(tracked);
				break;
			}
			case "wait":
				await vi.advanceTimersByTimeAsync(step.ms);
				break;
			case "reload": {
				// The page goes away with whatever it had pending; a new page of the same tab starts.
				const tab = step.tab % tabs.length;
				if (frozen.has(tabs[tab]!)) break;
				tabs[tab]!.dispose();
				tabs[tab] = openTab(tab);
				break;
			}
			case "stuck":
				stuckNext = { frozen: step.frozen };
				break;
			case "refreshOutcomes":
				backend.queueRefreshOutcomes(step.outcomes);
				break;
			case "revoke":
				backend.revokeAll();
				break;
			case "switchUser":
				backend.switchUser("bob");
				break;
			case "impersonate":
				backend.impersonate("mallory");
				break;
		}
	}
	// Long enough for every timeout, backoff and lock bound to have run out.
	await vi.advanceTimersByTimeAsync(60_000);

	if (backend.maxInFlight > 1) problems.push(`${backend.maxInFlight} refreshes with one refresh token in flight at once`);
	problems.push(...backend.violations);
	tabs.forEach((client, tab) => {
		if (reauthCalls[tab] !== reauthEntries[tab]) problems.push(`tab ${tab}: ${reauthCalls[tab]} reauthenticate calls for ${reauthEntries[tab]} episodes`);
		const { status } = client.session.getSnapshot();
		if (schedule.world === "networkOnly" && (status === "signedOut" || reauthCalls[tab]! > 0)) {
			problems.push(`tab ${tab}: ${status} with ${reauthCalls[tab]} reauthentications, though the server only ever failed by network`);
		}
	});
	for (const request of requests) {
		if (request.client !== tabs[request.tab] || frozen.has(request.client)) continue; // Its page was reloaded away, or froze.
		// Issue 22: a hung or frozen lock holder in another tab stalls this one's requests 10 s at most.
		const stalled = (request.settledAt ?? Date.now()) - request.startedAt;
		if (schedule.world === "stuckHolder" && !request.aborted && stalled > 10_000) problems.push(`a request of tab ${request.tab} took ${stalled} ms`);
		const status = request.client.session.getSnapshot().status;
		if (request.state === "pending" && status !== "reauthenticating") problems.push(`a request is pending while its tab is ${status}`);
		if (request.state !== "rejected") continue;
		const { error } = request;
		const name = (error as { name?: string }).name;
		if (name === "AbortError") {
			if (!request.aborted) problems.push("AbortError without an abort");
			continue;
		}
		if (!isApiError(error)) problems.push(`untyped rejection: ${String(error)}`);
		if (error instanceof AuthenticationError && request.statusAtRejection !== "signedOut") {
			problems.push(`AuthenticationError reached a caller while ${request.statusAtRejection}`);
		}
	}
	tabs.forEach((client) => client.dispose());
	return problems;
}

describe("concurrency invariants under random schedules", () => {
	afterEach(() => vi.useRealTimers());

	it.each([
		["mixed", runs],
		["networkOnly", Math.ceil(runs / 3)],
		["reloadLoop", Math.ceil(runs / 3)],
		["stuckHolder", runs],
	] as const)("should hold in the %s world (%i schedules)", async (world, numRuns) => {
		vi.useFakeTimers();
		await fc.assert(
			fc.asyncProperty(scheduleArbitrary(world), async (schedule) => {
				const problems = await runSchedule(schedule);
				expect(problems).toEqual([]);
			}),
			{
				numRuns,
				...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
				...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
			},
		);
	}, 300_000);
});

it("should stop a reload loop at maxAttempts (a fixed schedule of the reloadLoop world)", async () => {
	vi.useFakeTimers();
	const reloadAndRequest: Step[] = [
		{ kind: "reload", tab: 0 },
		{ kind: "request", tab: 0, abortAfterMs: null },
		{ kind: "wait", ms: 200 },
	];
	const problems = await runSchedule({
		world: "reloadLoop",
		tabs: 1,
		reauth: "navigate",
		steps: [{ kind: "request", tab: 0, abortAfterMs: null }, { kind: "wait", ms: 200 }, ...reloadAndRequest, ...reloadAndRequest, ...reloadAndRequest],
	});
	expect(problems).toEqual([]);
});

it.each([false, true])("should stall other tabs 10 s at most behind a lock holder whose refresh hangs (frozen tab: %s)", async (frozen) => {
	vi.useFakeTimers();
	const problems = await runSchedule({
		world: "stuckHolder",
		tabs: 2,
		reauth: "resolve",
		steps: [
			{ kind: "wait", ms: 1_100 },
			{ kind: "stuck", frozen },
			{ kind: "request", tab: 0, abortAfterMs: null },
			{ kind: "wait", ms: 100 },
			{ kind: "request", tab: 1, abortAfterMs: null },
			{ kind: "wait", ms: 15_000 },
			{ kind: "request", tab: 1, abortAfterMs: null },
		],
	});
	expect(problems).toEqual([]);
});

it("should stall a request 10 s at most when it refreshes twice behind another tab's hung refresh", async () => {
	vi.useFakeTimers();
	// Tab 1's first refresh gives up on the hung token after one wait; its request then meets a 401 and refreshes again,
	// while tab 2 holds the refresh lock waiting on the same token. The second refresh must not wait a second time.
	const problems = await runSchedule({
		world: "stuckHolder",
		tabs: 3,
		reauth: "resolve",
		steps: [
			{ kind: "wait", ms: 900 },
			{ kind: "request", tab: 0, abortAfterMs: null },
			{ kind: "stuck", frozen: false },
			{ kind: "request", tab: 1, abortAfterMs: null },
			{ kind: "wait", ms: 1_001 },
			{ kind: "request", tab: 2, abortAfterMs: null },
			{ kind: "request", tab: 0, abortAfterMs: null },
		],
	});
	expect(problems).toEqual([]);
});
