// Refresh storm: 1,000 concurrent GETs while the access token is dead on the server. The token endpoint rotates
// refresh tokens; reusing a consumed one is answered 400 invalid_grant and revokes the whole family.
// Contenders run one after another, order rotated each round; figures are medians over the rounds.
// A floor runs in the same rounds: the same 1,000 GETs through tokenflight with a valid token (no 401, no refresh),
// so the storm reads as a ratio to what no refresh costs, measured side by side rather than against a fixed time.
import axios from "axios";
import { createAuthRefresh } from "axios-auth-refresh";
import ky from "ky";
import { createClient, memoryTokenStore, oauthRefresh } from "../dist/index.js";
import { fmt, median, memoryStorage, rotate, sleep, table, withDeadline } from "./lib.mjs";

const REQUESTS = Number(process.env.BENCH_STORM ?? 1_000);
const ROUNDS = Number(process.env.BENCH_STORM_ROUNDS ?? 5);
const REFRESH_DELAY_MS = 20; // token endpoint latency (server-side sleep), a fast but real authorization server
// Bounds every request of axios and ky (their own timeout option). tokenflight's requests get no AbortSignal.timeout of
// their own: 1,000 (or 10,000) timers and signals per round grew the heap run after run and skewed later rounds. The
// round's deadline bounds them, and dispose() ends whatever still waits.
const REQUEST_TIMEOUT_MS = 20_000;
const ROUND_DEADLINE_MS = 40_000;

function form(refreshToken) {
	return new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken ?? "", client_id: "bench" });
}

/**
 * Each contender: setup(server, tokens) → { get(i) → Promise, refreshes?(), extra?(), dispose() }.
 * `reset` overrides the server reset of its rounds; `floor` marks the no-refresh baseline (not a competitor).
 */
const contenders = [
	{
		name: "floor: tokenflight, valid token (no refresh)",
		key: "floor",
		floor: true,
		reset: { expired: false },
		setup(server, tokens) {
			let reauths = 0;
			const client = createClient({
				baseUrl: `${server.origin}/api/`,
				auth: {
					type: "bearer",
					// Valid on the server and known to be far from expiry: nothing to refresh, nothing to retry.
					store: memoryTokenStore({ ...tokens, expiresAt: Date.now() + 3_600_000 }),
					refresh: oauthRefresh({ tokenEndpoint: `${server.origin}/token`, clientId: "bench" }),
				},
				reauthenticate: () => {
					reauths++;
					return Promise.reject(new Error("bench: no interactive sign-in"));
				},
				reloadGuard: { storage: memoryStorage(), history: null },
				tabs: false,
				ky: { retry: 0 },
			});
			return {
				get: () => client.get("items"),
				extra: () => `reauthenticate ×${reauths}`,
				dispose: () => client.dispose(),
			};
		},
	},
	{
		name: "tokenflight (expiry unknown → 1,000 × 401)",
		key: "tokenflight",
		setup(server, tokens) {
			let reauths = 0;
			const client = createClient({
				baseUrl: `${server.origin}/api/`,
				auth: {
					type: "bearer",
					// No expiresAt: the client cannot know the token died, so every request meets a 401.
					store: memoryTokenStore({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
					refresh: oauthRefresh({ tokenEndpoint: `${server.origin}/token`, clientId: "bench" }),
				},
				reauthenticate: () => {
					reauths++;
					return Promise.reject(new Error("bench: no interactive sign-in"));
				},
				reloadGuard: { storage: memoryStorage(), history: null },
				tabs: false,
				ky: { retry: 0 },
			});
			return {
				get: () => client.get("items"),
				extra: () => `reauthenticate ×${reauths}`,
				dispose: () => client.dispose(),
			};
		},
	},
	{
		name: "tokenflight (expiresAt known, in the past)",
		key: "tokenflight-proactive",
		setup(server, tokens) {
			let reauths = 0;
			const client = createClient({
				baseUrl: `${server.origin}/api/`,
				auth: {
					type: "bearer",
					store: memoryTokenStore({ ...tokens, expiresAt: Date.now() - 1_000 }),
					refresh: oauthRefresh({ tokenEndpoint: `${server.origin}/token`, clientId: "bench" }),
				},
				reauthenticate: () => {
					reauths++;
					return Promise.reject(new Error("bench: no interactive sign-in"));
				},
				reloadGuard: { storage: memoryStorage(), history: null },
				tabs: false,
				ky: { retry: 0 },
			});
			return {
				get: () => client.get("items"),
				extra: () => `reauthenticate ×${reauths}`,
				dispose: () => client.dispose(),
			};
		},
	},
	...[true, false].map((deduplicateRefresh) => ({
		name: `axios + axios-auth-refresh 5 (${deduplicateRefresh ? "defaults" : "deduplicateRefresh: false"})`,
		key: deduplicateRefresh ? "axios-dedupe" : "axios-no-dedupe",
		setup(server, tokens) {
			const store = { ...tokens };
			const instance = axios.create({ baseURL: `${server.origin}/api/`, timeout: REQUEST_TIMEOUT_MS });
			// README: read the token in a request interceptor so stalled/retried requests pick up the new one.
			instance.interceptors.request.use((config) => {
				config.headers.Authorization = `Bearer ${store.accessToken}`;
				return config;
			});
			// A separate instance for the token endpoint, and skipAuthRefresh as the README asks when not deduplicating.
			const tokenClient = axios.create({ timeout: REQUEST_TIMEOUT_MS });
			createAuthRefresh(
				instance,
				async (failedRequest) => {
					const { data } = await tokenClient.post(`${server.origin}/token`, form(store.refreshToken), { skipAuthRefresh: true });
					store.accessToken = data.access_token;
					store.refreshToken = data.refresh_token;
					failedRequest.response.config.headers.Authorization = `Bearer ${data.access_token}`;
				},
				{ deduplicateRefresh },
			);
			return { get: () => instance.get("items").then((response) => response.data), dispose() {} };
		},
	})),
	{
		name: "ky afterResponse hook (README recipe)",
		key: "ky-hook",
		setup(server, tokens) {
			const store = { ...tokens };
			// ky's README recipe: on a 401 refresh and `ky.retry` with the new token. ky's default retry options.
			const api = ky.create({
				prefix: `${server.origin}/api/`,
				timeout: REQUEST_TIMEOUT_MS,
				hooks: {
					beforeRequest: [
						({ request }) => {
							request.headers.set("Authorization", `Bearer ${store.accessToken}`);
						},
					],
					afterResponse: [
						async ({ request, response, retryCount }) => {
							if (response.status === 401 && retryCount === 0) {
								const data = await ky.post(`${server.origin}/token`, { body: form(store.refreshToken), retry: 0 }).json();
								store.accessToken = data.access_token;
								store.refreshToken = data.refresh_token;
								const headers = new Headers(request.headers);
								headers.set("Authorization", `Bearer ${data.access_token}`);
								return ky.retry({ request: new Request(request, { headers }), code: "TOKEN_REFRESHED" });
							}
						},
					],
				},
			});
			return { get: () => api.get("items").json(), dispose() {} };
		},
	},
];

// BENCH_STORM_ONLY=floor,tokenflight runs only those contenders (a 10,000-request storm of every contender outlasts
// the run's deadline: the ky recipe refreshes once per request).
const only = process.env.BENCH_STORM_ONLY?.split(",");
if (only) contenders.splice(0, contenders.length, ...contenders.filter((c) => only.includes(c.key)));

function failureKind(error) {
	const status = error?.response?.status ?? error?.status;
	const name = error?.name ?? "Error";
	return status ? `${name} ${status}` : name;
}

async function runOnce(server, contender) {
	const tokens = await server.reset({ expired: true, refreshDelayMs: REFRESH_DELAY_MS, closeIdle: true, ...contender.reset });
	await sleep(100); // lets the clients see the closed sockets
	const instance = contender.setup(server, tokens);
	const start = performance.now();
	const settled = await withDeadline(
		Promise.allSettled(Array.from({ length: REQUESTS }, () => instance.get())),
		ROUND_DEADLINE_MS,
		() => null,
	);
	const wallMs = performance.now() - start;
	instance.dispose();
	const stats = await server.stats();
	if (!settled)
		return { wallMs: NaN, connections: stats.connections, ok: 0, failed: REQUESTS, refreshCalls: stats.refreshCalls, reuse: stats.reuseDetected, unauthorized: stats.unauthorized, kinds: "deadline hit", extra: "" };
	let ok = 0;
	const kinds = new Map();
	for (const result of settled) {
		if (result.status === "fulfilled" && result.value?.name === "item") ok++;
		else {
			const kind = result.status === "fulfilled" ? "wrong body" : failureKind(result.reason);
			kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
		}
	}
	return {
		wallMs,
		connections: stats.connections,
		ok,
		failed: REQUESTS - ok,
		refreshCalls: stats.refreshCalls,
		reuse: stats.reuseDetected,
		unauthorized: stats.unauthorized,
		kinds: [...kinds].map(([kind, n]) => `${kind} ×${n}`).join(", "),
		extra: instance.extra?.() ?? "",
	};
}

export async function runStorm(server) {
	const results = Object.fromEntries(contenders.map((c) => [c.key, []]));
	// Warm-up round (JIT), not recorded.
	for (const c of contenders) await runOnce(server, c);
	for (let round = 0; round < ROUNDS; round++) {
		for (const c of rotate(contenders, round)) results[c.key].push(await runOnce(server, c));
	}
	const spread = (values, format) => {
		const m = median(values);
		const lo = Math.min(...values);
		const hi = Math.max(...values);
		return lo === hi ? format(m) : `${format(m)} (${format(lo)}–${format(hi)})`;
	};
	const medianWall = (key) => median(results[key].map((r) => r.wallMs));
	const competitors = contenders.filter((c) => !c.floor);
	const best = Math.min(...competitors.map((c) => medianWall(c.key)));
	const others = competitors.filter((c) => !c.key.startsWith("tokenflight"));
	const bestOther = Math.min(...others.map((c) => medianWall(c.key)));
	// Failing fast is not a win: also compare with the others that got every request through.
	const complete = others.filter((c) => results[c.key].every((r) => r.ok === REQUESTS));
	const bestComplete = complete.length ? Math.min(...complete.map((c) => medianWall(c.key))) : NaN;
	// The floor: same requests, same cold start, same round, nothing to refresh. Ratios to it, never absolute times.
	const floorWall = medianWall("floor");
	const floorClean = results.floor.every((x) => x.refreshCalls === 0 && x.unauthorized === 0 && x.ok === REQUESTS);
	const vsFloor = (key) => {
		const perRound = results[key].map((x, i) => x.wallMs / results.floor[i].wallMs).filter(Number.isFinite);
		const range = perRound.length ? `${fmt.ratio(Math.min(...perRound))} … ${fmt.ratio(Math.max(...perRound))}` : "–";
		return { ratio: medianWall(key) / floorWall, range };
	};
	const rows = contenders.map((c) => {
		const r = results[c.key];
		const wall = median(r.map((x) => x.wallMs));
		const last = r[r.length - 1];
		return [
			c.name,
			spread(r.map((x) => x.refreshCalls), fmt.int),
			spread(r.map((x) => x.ok), fmt.int),
			spread(r.map((x) => x.failed), fmt.int),
			spread(r.map((x) => x.reuse), fmt.int),
			spread(r.map((x) => x.connections), fmt.int),
			fmt.ms(wall),
			c.floor ? "–" : fmt.ratio(wall / best),
			fmt.ratio(wall / floorWall),
			[last.kinds, last.extra].filter(Boolean).join("; ") || "–",
		];
	});
	const tf = results.tokenflight;
	const tfWall = medianWall("tokenflight");
	const counts = tf.every((x) => x.refreshCalls === 1 && x.ok === REQUESTS);
	const fastest = tfWall <= bestOther;
	const storm = vsFloor("tokenflight");
	const proactive = vsFloor("tokenflight-proactive");
	const markdown = [
		`### Refresh storm: ${REQUESTS.toLocaleString("en-US")} concurrent GETs, access token dead on the server (median of ${ROUNDS} rounds; min–max when they differ)`,
		"",
		`Token endpoint: ${REFRESH_DELAY_MS} ms latency, rotating refresh tokens, reuse → 400 invalid_grant + family revoked. "refresh calls" are counted by the server. The floor is the same ${REQUESTS.toLocaleString("en-US")} GETs through tokenflight with a valid token, in the same rounds; "vs fastest" leaves it out.`,
		"",
		table(["contender", "refresh calls", "successes", "failures", "reuse detected", "TCP conns", "wall time", "vs fastest", "vs floor", "failures (last round)"], rows),
		"",
		`Storm / floor (ratio of medians; per-round range): 401 path storm / floor = ${fmt.ratio(storm.ratio)} (${storm.range}); expiresAt known storm / floor = ${fmt.ratio(proactive.ratio)} (${proactive.range}). Floor ${floorClean ? `clean (0 refreshes, 0 × 401, ${REQUESTS.toLocaleString("en-US")} successes every round)` : "NOT clean (it saw refreshes, 401s or failures: its ratios mean nothing)"}.`,
		`Target for tokenflight (401 path): 1 refresh, ${REQUESTS.toLocaleString("en-US")} successes, least wall time: counts ${counts ? "met" : "NOT met"}; wall time ${fmt.ms(tfWall)} vs fastest other contender ${fmt.ms(bestOther)} (${fmt.ratio(tfWall / bestOther)}, ${fastest ? "met" : "NOT met"}), vs fastest other that got all ${REQUESTS.toLocaleString("en-US")} through ${complete.length ? `${fmt.ms(bestComplete)} (${fmt.ratio(tfWall / bestComplete)}, ${tfWall <= bestComplete ? "met" : "NOT met"})` : "none did"}.`,
		"Every run starts with cold connections (the server closes idle keep-alive sockets first).",
	].join("\n");
	return { markdown, results, summary: { stormOverFloor: storm.ratio, proactiveOverFloor: proactive.ratio, floorClean } };
}
