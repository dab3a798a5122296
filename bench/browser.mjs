// Browser part of the benchmarks: tokenflight's dist/index.js (bundled by esbuild) in headless Chromium, against
// bench/browserServer.mjs (forked, like bench/server.mjs). Two measurements, both as ratios of contenders that run
// side by side in the same rounds, their order rotated each round; never an absolute time threshold.
//
//  1. Refresh storm after expiry: STORM_REQUESTS GETs in 1 tab against the same GETs spread over TABS tabs that share
//     one store (STORM_REQUESTS / TABS each, started at one shared instant), with indexedDbTokenStore and with
//     storageTokenStore(localStorage), for an expiry the client does not know (every request meets a 401) and one it
//     knows (expiresAt in the past). Goal: TABS tabs ≤ GOAL × 1 tab; one refresh per storm and no reuse detected.
//  2. createClient → first response, against plain ky on the same page: cold (a fresh page load per sample) and warm.
//
// Bounded: fixed counts, every request and every storm has a deadline; run.mjs aborts the whole run after its limit.
import { chromium } from "playwright-core";
import { fmt, median, rotate, sleep, startServer, table, withDeadline } from "./lib.mjs";

const TABS = 4;
const STORM_REQUESTS = Number(process.env.BENCH_BROWSER_STORM ?? 100);
const STORM_ROUNDS = Number(process.env.BENCH_BROWSER_ROUNDS ?? 13);
const FIRST_ROUNDS = Number(process.env.BENCH_BROWSER_FIRST_ROUNDS ?? 20);
const WARM_ROUNDS = Number(process.env.BENCH_BROWSER_WARM_ROUNDS ?? 50);
const WARM_SKIP = 5; // warm rounds run but not recorded (JIT)
const REFRESH_DELAY_MS = 20; // token endpoint latency, as in the Node storm
const GOAL = 1.2;
const STORM_DEADLINE_MS = 30_000;
// The shared start instant is this far ahead of the moment the tabs are told it; the sockets the reset closed have
// been closed at least this long by then.
const START_LEAD_MS = 150;
const launchArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

if (STORM_REQUESTS % TABS !== 0) throw new Error(`BENCH_BROWSER_STORM must be a multiple of ${TABS}`);

/** bench/browserServer.mjs, forked like bench/server.mjs (the same IPC protocol). */
const startBrowserServer = () => startServer("./browserServer.mjs", 20_000);

async function open(context, url) {
	const page = await context.newPage();
	page.on("pageerror", (error) => console.error(`[bench page error] ${error.message}`));
	await load(page, url);
	return page;
}

async function load(page, url) {
	await page.goto(url, { waitUntil: "load", timeout: 15_000 });
	await page.waitForFunction(() => window.bench !== undefined, null, { timeout: 10_000 });
}

const STORES = [
	{ key: "idb", name: "indexedDbTokenStore" },
	{ key: "localStorage", name: "storageTokenStore(localStorage)" },
];
const EXPIRIES = [
	{ key: "unknown", name: "expiry unknown (401s)" },
	{ key: "known", name: "expiresAt known, past" },
];
const SPREADS = [
	{ key: "one", tabs: 1, name: "1 tab" },
	{ key: "many", tabs: TABS, name: `${TABS} tabs` },
];

async function storm(server, pages, url, store, expiry, spread, round) {
	const tokens = await server.reset({ expired: true, refreshDelayMs: REFRESH_DELAY_MS, closeIdle: true });
	// Expiry unknown: no expiresAt, the client learns of it from 401s. Known: expiresAt in the past, refreshed before sending.
	const stored = expiry.key === "known" ? { ...tokens, expiresAt: Date.now() - 1_000 } : { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
	// The single tab rotates over the tabs; the other tabs stay open, without a client.
	const participants = spread.tabs === 1 ? [pages[round % pages.length]] : pages;
	await Promise.all(pages.map((page) => page.evaluate(() => window.bench.dispose())));
	await pages[0].evaluate(([kind, value]) => window.bench.seed([kind], value), [store.key, stored]);
	// localStorage reaches other tabs' processes a little later: start only once every tab reads the seeded tokens.
	for (const page of participants) {
		const deadline = Date.now() + 5_000;
		while ((await page.evaluate((kind) => window.bench.storedRefreshToken(kind), store.key)) !== tokens.refreshToken) {
			if (Date.now() > deadline) throw new Error("bench: a tab never saw the seeded tokens");
			await sleep(10);
		}
	}
	await Promise.all(participants.map((page) => page.evaluate((kind) => window.bench.prepare(kind), store.key)));
	const startAt = Date.now() + START_LEAD_MS;
	const per = STORM_REQUESTS / participants.length;
	const results = await withDeadline(
		Promise.all(participants.map((page) => page.evaluate(([count, at]) => window.bench.fire(count, at), [per, startAt]))),
		STORM_DEADLINE_MS,
		() => null,
	);
	const stats = await server.stats();
	if (!results) {
		// A hung tab would spoil the next rounds: reload every tab.
		await Promise.all(pages.map((page) => load(page, url)));
		return { wallMs: NaN, skewMs: NaN, ok: 0, failed: STORM_REQUESTS, reauths: 0, stats, kinds: "deadline hit" };
	}
	const starts = results.map((r) => r.start);
	const kinds = new Map();
	for (const r of results) for (const [kind, n] of Object.entries(r.kinds)) kinds.set(kind, (kinds.get(kind) ?? 0) + n);
	const ok = results.reduce((sum, r) => sum + r.ok, 0);
	return {
		wallMs: Math.max(...results.map((r) => r.end)) - Math.min(...starts),
		skewMs: Math.max(...starts) - Math.min(...starts),
		ok,
		failed: STORM_REQUESTS - ok,
		reauths: results.reduce((sum, r) => sum + r.reauths, 0),
		stats,
		kinds: [...kinds].map(([kind, n]) => `${kind} ×${n}`).join(", "),
	};
}

const spread = (values, format) => {
	const finite = values.filter(Number.isFinite);
	if (finite.length === 0) return "–";
	const m = median(finite);
	const lo = Math.min(...finite);
	const hi = Math.max(...finite);
	return lo === hi ? format(m) : `${format(m)} (${format(lo)}–${format(hi)})`;
};
const rangeOf = (values) => {
	const finite = values.filter(Number.isFinite);
	return finite.length ? `${fmt.ratio(Math.min(...finite))} … ${fmt.ratio(Math.max(...finite))}` : "–";
};

async function runStorms(server, pages, url) {
	const configs = STORES.flatMap((store) => EXPIRIES.map((expiry) => ({ store, expiry, key: `${store.key}/${expiry.key}` })));
	const results = Object.fromEntries(configs.map((c) => [c.key, { one: [], many: [] }]));
	const once = async (round, record) => {
		for (const config of rotate(configs, round)) {
			for (const s of rotate(SPREADS, round)) {
				const result = await storm(server, pages, url, config.store, config.expiry, s, round);
				if (record) results[config.key][s.key].push(result);
			}
		}
	};
	await once(0, false); // warm-up (JIT, IndexedDB files, sockets), not recorded
	for (let round = 0; round < STORM_ROUNDS; round++) await once(round, true);

	const rows = [];
	const verdicts = [];
	let countsMet = true;
	for (const config of configs) {
		const r = results[config.key];
		// Each round's 4-tab storm runs right next to its 1-tab storm: the ratio of the pair sees the same machine load.
		const perRound = r.many.map((x, i) => x.wallMs / r.one[i].wallMs);
		const ratio = median(perRound);
		const ofMedians = median(r.many.map((x) => x.wallMs)) / median(r.one.map((x) => x.wallMs));
		const met = ratio <= GOAL;
		const within = perRound.filter((x) => x <= GOAL).length;
		verdicts.push(
			`${config.store.name}, ${config.expiry.name}: ${fmt.ratio(ratio)} ${met ? "met" : "NOT met"} (${within} of ${perRound.length} rounds ≤ ${GOAL.toFixed(1)}×; ratio of median wall times ${fmt.ratio(ofMedians)})`,
		);
		for (const s of SPREADS) {
			const list = r[s.key];
			countsMet &&= list.every((x) => x.stats.refreshCalls === 1 && x.stats.reuseDetected === 0 && x.ok === STORM_REQUESTS);
			const last = list[list.length - 1];
			rows.push([
				config.store.name,
				config.expiry.name,
				s.tabs === 1 ? `1 × ${STORM_REQUESTS}` : `${s.tabs} × ${STORM_REQUESTS / s.tabs}`,
				spread(list.map((x) => x.stats.refreshCalls), fmt.int),
				spread(list.map((x) => x.stats.reuseDetected), fmt.int),
				spread(list.map((x) => x.stats.unauthorized), fmt.int),
				spread(list.map((x) => x.ok), fmt.int),
				spread(list.map((x) => x.failed), fmt.int),
				s.tabs === 1 ? "–" : fmt.ms(median(list.map((x) => x.skewMs))),
				fmt.ms(median(list.map((x) => x.wallMs))),
				s.tabs === 1 ? "1.000×" : fmt.ratio(ratio),
				s.tabs === 1 ? "–" : rangeOf(perRound),
				[last.kinds, last.reauths ? `reauthenticate ×${last.reauths}` : ""].filter(Boolean).join("; ") || "–",
			]);
		}
	}
	const markdown = [
		`### Browser: refresh storm after expiry, 1 tab vs ${TABS} tabs sharing one store (median of ${STORM_ROUNDS} rounds; min–max when they differ)`,
		"",
		`${STORM_REQUESTS} concurrent GETs with a dead access token: all ${STORM_REQUESTS} in one tab, or ${STORM_REQUESTS / TABS} in each of ${TABS} tabs of one origin started at one shared instant (the other tabs stay open, without a client, in the 1-tab runs; the 1 tab rotates). Each tab has its own client (tabs on: Web Locks + BroadcastChannel) on the page's store. The server (a forked node:http process) rotates refresh tokens (${REFRESH_DELAY_MS} ms latency), answers reuse of a consumed one with 400 invalid_grant and revokes the family, and its API accepts only the current access token; "refresh calls", "reuse detected" and "401s" are its counts. Wall time runs from the first tab's start to the last response in any tab; "start skew" is the spread of the tabs' starts, included in the wall time. "4 tabs / 1 tab" is the median of the per-round ratios, each round's 4-tab storm running right before or after its 1-tab storm. Every run starts with cold connections.`,
		"",
		table(["store", "expiry", "tabs × GETs", "refresh calls", "reuse detected", "401s", "successes", "failures", "start skew", "wall time", `${TABS} tabs / 1 tab`, "per-round range", "failures (last round)"], rows),
		"",
		`Goal ${TABS} tabs ≤ ${GOAL.toFixed(1)}× one tab (median of the per-round ratios): ${verdicts.join("; ")}.`,
		`1 refresh call, 0 reuse detected and ${STORM_REQUESTS} successes in every storm: ${countsMet ? "met" : "NOT met"}.`,
	].join("\n");
	return { markdown, results };
}

const FIRST_CONTENDERS = [
	{ key: "ky", name: "plain ky (token in hand)" },
	{ key: "memory", name: "tokenflight, memoryTokenStore" },
	{ key: "localStorage", name: "tokenflight, storageTokenStore(localStorage)" },
	{ key: "idb", name: "tokenflight, indexedDbTokenStore" },
];

async function runFirstResponse(server, page, url) {
	const tokens = await server.reset({ expired: false });
	const stored = { ...tokens, expiresAt: Date.now() + 3_600_000 };
	await page.evaluate(() => window.bench.dispose());
	await page.evaluate((value) => window.bench.seed(["idb", "localStorage"], value), stored);
	const measure = (key) => page.evaluate(([contender, value]) => window.bench.first(contender, value), [key, stored]);
	const cold = Object.fromEntries(FIRST_CONTENDERS.map((c) => [c.key, []]));
	const warm = Object.fromEntries(FIRST_CONTENDERS.map((c) => [c.key, []]));
	// Cold: each sample on a freshly loaded page (a new JS realm: nothing of either library has run yet).
	for (let round = -1; round < FIRST_ROUNDS; round++) {
		for (const c of rotate(FIRST_CONTENDERS, round + 1)) {
			await load(page, url);
			await sleep(30);
			const ms = await measure(c.key);
			if (round >= 0) cold[c.key].push(ms);
		}
	}
	// Warm: the same page over and over, as a second client on a page that already ran one.
	await load(page, url);
	for (let round = 0; round < WARM_ROUNDS; round++) {
		for (const c of rotate(FIRST_CONTENDERS, round)) {
			const ms = await measure(c.key);
			if (round >= WARM_SKIP) warm[c.key].push(ms);
		}
	}
	const stats = await server.stats();
	const rows = FIRST_CONTENDERS.map((c) => {
		const perRoundCold = cold[c.key].map((ms, i) => ms / cold.ky[i]);
		const perRoundWarm = warm[c.key].map((ms, i) => ms / warm.ky[i]);
		return [
			c.name,
			spread(cold[c.key], fmt.ms),
			fmt.ratio(median(perRoundCold)),
			c.key === "ky" ? "–" : rangeOf(perRoundCold),
			spread(warm[c.key], fmt.ms),
			fmt.ratio(median(perRoundWarm)),
			c.key === "ky" ? "–" : rangeOf(perRoundWarm),
		];
	});
	const markdown = [
		`### Browser: createClient to first response, tokenflight vs plain ky on the same page (cold: median of ${FIRST_ROUNDS} page loads each; warm: ${WARM_ROUNDS - WARM_SKIP} rounds)`,
		"",
		`From creating the client (ky.create with the token in hand; createClient with its store, created in the timed span too, tabs on as in any browser) to the parsed body of one GET with a valid token, timed in the page with performance.now(); "/ ky" is the median of the per-round ratios (each round runs every contender once, order rotated). Cold: every sample on a freshly loaded page, contenders rotated. Warm: all on one page after ${WARM_SKIP} unrecorded rounds. The server counted ${fmt.int(stats.ok)} successes, ${fmt.int(stats.unauthorized)} × 401 and ${fmt.int(stats.refreshCalls)} refresh calls.`,
		"",
		table(["contender", "cold", "cold / ky", "cold, per-round range", "warm", "warm / ky", "warm, per-round range"], rows),
	].join("\n");
	return { markdown, cold, warm };
}

export async function runBrowser() {
	const server = await startBrowserServer();
	let browser;
	try {
		browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: launchArgs, timeout: 30_000 });
		const context = await browser.newContext();
		const url = `${server.origin}/`;
		const pages = [];
		for (let i = 0; i < TABS; i++) pages.push(await open(context, url));
		const info = await pages[0].evaluate(() => window.bench.info());
		const visibility = await Promise.all(pages.map((page) => page.evaluate(() => document.visibilityState)));
		const storms = await runStorms(server, pages, url);
		const first = await runFirstResponse(server, pages[0], url);
		const header = `Browser: Chromium ${browser.version()} headless (${launchArgs.join(" ")}), ${TABS} tabs of one context, tabs ${visibility.every((v) => v === "visible") ? "all visible" : `visibility ${visibility.join(", ")}`}, crossOriginIsolated ${info.crossOriginIsolated}, Web Locks ${info.locks ? "yes" : "no"}, BroadcastChannel ${info.broadcastChannel ? "yes" : "no"}; page bundled from dist/index.js by esbuild.`;
		return { markdown: [header, storms.markdown, first.markdown].join("\n\n"), storms: storms.results, first: { cold: first.cold, warm: first.warm } };
	} finally {
		await browser?.close().catch(() => {});
		await server.stop();
	}
}
