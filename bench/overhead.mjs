// Overhead: small JSON GETs with a valid token, raw fetch vs raw ky vs tokenflight, sequential and 50 in flight.
// Contenders are interleaved round by round (order rotated each round); figures are medians over the rounds.
import ky from "ky";
import { createClient, memoryTokenStore, oauthRefresh } from "../dist/index.js";
import { fmt, median, memoryStorage, rotate, table } from "./lib.mjs";

const SEQUENTIAL = Number(process.env.BENCH_SEQ ?? 1_500);
const CONCURRENT = Number(process.env.BENCH_CONC ?? 4_000);
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

export async function runOverhead(server) {
	const tokens = await server.reset();
	const url = `${server.origin}/api/items`;
	const authorization = `Bearer ${tokens.accessToken}`;

	const api = ky.create({ retry: 0 });
	const client = createClient({
		baseUrl: `${server.origin}/api/`,
		auth: {
			type: "bearer",
			store: memoryTokenStore({ ...tokens, expiresAt: Date.now() + 3_600_000 }),
			refresh: oauthRefresh({ tokenEndpoint: `${server.origin}/token`, clientId: "bench" }),
		},
		reauthenticate: () => Promise.reject(new Error("unexpected re-authentication in the overhead benchmark")),
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0 },
	});

	const contenders = [
		{
			name: "fetch",
			get: async () => {
				const response = await fetch(url, { headers: { authorization } });
				if (!response.ok) throw new Error(`HTTP ${response.status}`);
				return response.json();
			},
		},
		{ name: "ky", get: () => api.get(url, { headers: { authorization } }).json() },
		{ name: "tokenflight", get: () => client.get("items") },
	];

	async function sequential(get, count) {
		const start = performance.now();
		for (let i = 0; i < count; i++) await get();
		return count / ((performance.now() - start) / 1000);
	}

	async function concurrent(get, count) {
		let left = count;
		const worker = async () => {
			while (left > 0) {
				left--;
				await get();
			}
		};
		const start = performance.now();
		await Promise.all(Array.from({ length: CONCURRENCY }, worker));
		return count / ((performance.now() - start) / 1000);
	}

	// Sanity: every contender answers the same body.
	for (const c of contenders) {
		const value = await c.get();
		if (value?.name !== "item") throw new Error(`${c.name} returned ${JSON.stringify(value)}`);
	}

	const results = { sequential: {}, concurrent: {} };
	for (const c of contenders) {
		results.sequential[c.name] = [];
		results.concurrent[c.name] = [];
	}
	// Warm-up round (JIT, sockets), not recorded.
	for (const c of contenders) {
		await sequential(c.get, Math.ceil(SEQUENTIAL / 3));
		await concurrent(c.get, Math.ceil(CONCURRENT / 3));
	}
	for (let round = 0; round < ROUNDS; round++) {
		for (const c of rotate(contenders, round)) results.sequential[c.name].push(await sequential(c.get, SEQUENTIAL));
		for (const c of rotate(contenders, round + 1)) results.concurrent[c.name].push(await concurrent(c.get, CONCURRENT));
	}
	client.dispose();

	const stats = await server.stats();
	if (stats.unauthorized > 0 || stats.refreshCalls > 0) throw new Error(`overhead run saw 401s or refreshes: ${JSON.stringify(stats)}`);

	const rows = [];
	const summary = {};
	for (const [mode, label] of [
		["sequential", "sequential"],
		["concurrent", `concurrency ${CONCURRENCY}`],
	]) {
		const r = results[mode];
		const med = Object.fromEntries(contenders.map((c) => [c.name, median(r[c.name])]));
		const paired = r.tokenflight.map((v, i) => v / r.ky[i]);
		const kyVsFetch = r.ky.map((v, i) => v / r.fetch[i]);
		summary[mode] = { ratioOfMedians: med.tokenflight / med.ky, medianPairedRatio: median(paired) };
		rows.push([
			label,
			fmt.int(med.fetch),
			fmt.int(med.ky),
			fmt.int(med.tokenflight),
			fmt.ratio(median(kyVsFetch)),
			fmt.ratio(med.tokenflight / med.ky),
			`${fmt.ratio(Math.min(...paired))} … ${fmt.ratio(Math.max(...paired))}`,
		]);
	}
	const markdown = [
		`### Overhead: GET of a small JSON, valid token (req/s, median of ${ROUNDS} interleaved rounds)`,
		"",
		`Sequential: ${SEQUENTIAL.toLocaleString("en-US")} requests per contender per round; concurrency ${CONCURRENCY}: ${CONCURRENT.toLocaleString("en-US")}. Higher is better.`,
		"",
		table(["mode", "fetch req/s", "ky req/s", "tokenflight req/s", "ky / fetch", "tokenflight / ky", "tokenflight / ky, per-round range"], rows),
		"",
		`Target: tokenflight / ky ≥ 0.970 (within 3 %). Sequential ${verdict(summary.sequential.ratioOfMedians)}, concurrency ${CONCURRENCY} ${verdict(summary.concurrent.ratioOfMedians)}.`,
	].join("\n");
	return { markdown, summary };
}

function verdict(ratio) {
	return ratio >= 0.97 ? `met (${ratio.toFixed(3)})` : `NOT met (${ratio.toFixed(3)})`;
}
