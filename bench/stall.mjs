// Stall cost: 10,000 requests stalled while the session re-authenticates (reauthenticate returns nothing, as when
// it navigates away, so they wait for the page to go). Measures the heap they hold (heapUsed after full GCs) and the
// time to release them all by aborting their AbortSignals; then what stays retained once they are gone.
// Side by side: a floor (a bare pending promise per AbortSignal) and axios-auth-refresh's stall (a pending refresh).
import axios from "axios";
import { createAuthRefresh } from "axios-auth-refresh";
import { createClient, memoryTokenStore } from "../dist/index.js";
import { fmt, fullGc, median, memoryStorage, rotate, sleep, table, withDeadline } from "./lib.mjs";

const STALLED = Number(process.env.BENCH_STALLED ?? 10_000);
const ROUNDS = Number(process.env.BENCH_STALL_ROUNDS ?? 3);
const RELEASE_DEADLINE_MS = 2_000;

const isAbort = (error) => error?.name === "AbortError" || error?.name === "CanceledError" || error?.code === "ERR_CANCELED";

/** Each contender: setup(server) → { enterStall(), request(signal) → Promise, extra(), dispose() }. */
const contenders = [
	{
		name: "tokenflight (reauthenticate returns nothing)",
		key: "tokenflight",
		async setup(server) {
			await server.reset({ mode: "always401" });
			let reauths = 0;
			const client = createClient({
				baseUrl: `${server.origin}/api/`,
				auth: { type: "bearer", store: memoryTokenStore({ accessToken: "dead", refreshToken: "dead" }) }, // no refresh
				reauthenticate: () => {
					reauths++;
				},
				reloadGuard: { storage: memoryStorage(), history: null },
				tabs: false,
				ky: { retry: 0 },
			});
			return {
				async enterStall() {
					const first = new AbortController();
					const stalled = client.get("items", { signal: first.signal }).catch((error) => error);
					const deadline = Date.now() + 5_000;
					while (client.session.getSnapshot().status !== "reauthenticating") {
						if (Date.now() > deadline) throw new Error(`tokenflight never stalled: ${JSON.stringify(client.session.getSnapshot())}`);
						await sleep(5);
					}
					return async () => {
						first.abort();
						await stalled;
					};
				},
				request: (signal) => client.get("items", { signal }),
				extra: () => `reauthenticate ×${reauths}`,
				dispose: () => client.dispose(),
			};
		},
	},
	{
		name: "floor: pending promise + abort listener",
		key: "floor",
		async setup() {
			return {
				enterStall: async () => async () => {},
				request: (signal) =>
					new Promise((_, reject) => {
						signal.addEventListener("abort", () => reject(signal.reason), { once: true });
					}),
				extra: () => "",
				dispose() {},
			};
		},
	},
	{
		name: "axios + axios-auth-refresh 5 (refresh pending)",
		key: "axios",
		async setup(server) {
			const tokens = await server.reset({ expired: true });
			let failRefresh;
			const refreshPending = new Promise((_, reject) => (failRefresh = reject));
			refreshPending.catch(() => {});
			const instance = axios.create({ baseURL: `${server.origin}/api/`, timeout: 20_000 });
			instance.interceptors.request.use((config) => {
				config.headers.Authorization = `Bearer ${tokens.accessToken}`;
				return config;
			});
			let refreshCalls = 0;
			createAuthRefresh(instance, () => {
				refreshCalls++;
				return refreshPending;
			});
			return {
				async enterStall() {
					const first = instance.get("items").catch((error) => error);
					const deadline = Date.now() + 5_000;
					while (refreshCalls === 0) {
						if (Date.now() > deadline) throw new Error("axios-auth-refresh never started a refresh");
						await sleep(5);
					}
					return async () => {
						await first;
					};
				},
				request: (signal) => instance.get("items", { signal }),
				extra: () => `refresh calls ×${refreshCalls}`,
				// Failing the refresh releases whatever is still queued (with CanceledError), without network.
				dispose: () => failRefresh(new Error("bench: refresh abandoned")),
			};
		},
	},
];

async function runOnce(server, contender) {
	const instance = await contender.setup(server);
	const cleanupFirst = await instance.enterStall();
	await fullGc();
	const before = process.memoryUsage().heapUsed;
	const statsBefore = await server.stats();

	let controllers = Array.from({ length: STALLED }, () => new AbortController());
	let pending = controllers.map((controller) => instance.request(controller.signal));
	let settledEarly = 0;
	let outcomes = pending.map((promise) =>
		promise.then(
			() => ({ ok: true }),
			(error) => ({ ok: false, abort: isAbort(error), name: error?.name }),
		),
	);
	for (const outcome of outcomes) outcome.then(() => settledEarly++);
	for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
	await fullGc();
	const held = process.memoryUsage().heapUsed - before;
	const statsDuring = await server.stats();
	const sentWhileStalled = statsDuring.unauthorized + statsDuring.ok - (statsBefore.unauthorized + statsBefore.ok);

	const start = performance.now();
	for (const controller of controllers) controller.abort();
	const settled = await withDeadline(Promise.all(outcomes), RELEASE_DEADLINE_MS, () => null);
	const releaseMs = settled ? performance.now() - start : NaN;
	let released = 0;
	let aborted = 0;
	const names = new Map();
	if (settled) {
		for (const outcome of settled) {
			released++;
			if (outcome.abort) aborted++;
			else names.set(outcome.name ?? "fulfilled", (names.get(outcome.name ?? "fulfilled") ?? 0) + 1);
		}
	} else {
		released = settledEarly;
	}
	const extra = instance.extra();
	// Still re-authenticating: what do the aborted requests leave behind while the stall goes on?
	const keepOutcomes = settled ? null : outcomes;
	controllers = pending = outcomes = null;
	await fullGc();
	const retained = process.memoryUsage().heapUsed - before;
	instance.dispose();
	if (keepOutcomes) await withDeadline(Promise.all(keepOutcomes), 5_000, () => null);
	await cleanupFirst();
	return { held, releaseMs, released, aborted, retained, sentWhileStalled, settledEarly, other: [...names].map(([n, c]) => `${n} ×${c}`).join(", "), extra };
}

export async function runStall(server) {
	const results = Object.fromEntries(contenders.map((c) => [c.key, []]));
	for (const c of contenders) await runOnce(server, c); // warm-up, not recorded
	for (let round = 0; round < ROUNDS; round++) {
		for (const c of rotate(contenders, round)) results[c.key].push(await runOnce(server, c));
	}
	const floorHeld = median(results.floor.map((r) => r.held));
	const rows = contenders.map((c) => {
		const r = results[c.key];
		const held = median(r.map((x) => x.held));
		const releaseMs = median(r.map((x) => x.releaseMs));
		const last = r[r.length - 1];
		const releasedText = r.every((x) => x.released === STALLED)
			? `${fmt.int(STALLED)} (${fmt.int(median(r.map((x) => x.aborted)))} AbortError)`
			: `${fmt.int(median(r.map((x) => x.released)))} within ${RELEASE_DEADLINE_MS / 1000} s`;
		return [
			c.name,
			fmt.bytes(held),
			fmt.bytes(held / STALLED),
			fmt.ratio(held / floorHeld),
			fmt.int(median(r.map((x) => x.sentWhileStalled))),
			releasedText,
			Number.isFinite(releaseMs) ? fmt.ms(releaseMs) : `> ${RELEASE_DEADLINE_MS} ms`,
			fmt.bytes(median(r.map((x) => x.retained))),
			[last.other, last.extra].filter(Boolean).join("; ") || "–",
		];
	});
	const markdown = [
		`### Stall cost: ${STALLED.toLocaleString("en-US")} requests stalled, then released by aborting their signals (median of ${ROUNDS} rounds)`,
		"",
		"Heap = heapUsed delta after full GCs (node --expose-gc), stalled requests and their AbortControllers included. Retained = heap after the release, while the session is still re-authenticating, minus before the stall.",
		"",
		table(
			["contender", "heap held", "per request", "vs floor", "sent to server while stalled", "released", "release time", "retained after release, still stalled", "notes (last round)"],
			rows,
		),
	].join("\n");
	return { markdown, results };
}
