// The browser benchmark's page (bundled by esbuild in bench/browserServer.mjs; driven by bench/browser.mjs).
// Every tab of the run loads it from the same origin, so the tabs share localStorage, IndexedDB, Web Locks and
// BroadcastChannel as an app's tabs do. It exposes `window.bench`; nothing runs until the driver asks.
import ky from "ky";
import { createClient, indexedDbTokenStore, memoryTokenStore, oauthRefresh, storageTokenStore } from "../dist/index.js";

const origin = location.origin;
const baseUrl = `${origin}/api/`;
const tokenEndpoint = `${origin}/token`;
const STORAGE_KEY = "bench:tokens";
const IDB_NAME = "bench";
const REQUEST_TIMEOUT_MS = 20_000;

/** One store of each kind per page, opened once, as an app does; clients come and go over the rounds. */
const stores = { idb: indexedDbTokenStore(IDB_NAME), localStorage: storageTokenStore(localStorage, STORAGE_KEY) };
const clock = () => performance.timeOrigin + performance.now();

let client;
let reauths = 0;

function failureKind(error) {
	const status = error?.status ?? error?.response?.status;
	const name = error?.name ?? "Error";
	return status ? `${name} ${status}` : name;
}

window.bench = {
	info: () => ({
		crossOriginIsolated: globalThis.crossOriginIsolated === true,
		visibility: document.visibilityState,
		locks: typeof navigator.locks?.request === "function",
		broadcastChannel: typeof BroadcastChannel === "function",
		userAgent: navigator.userAgent,
	}),

	/** Empties localStorage (tokens and loop-guard records) and IndexedDB, then stores `tokens` in `kinds`. */
	async seed(kinds, tokens) {
		localStorage.clear();
		await stores.idb.clear();
		for (const kind of kinds) await stores[kind].set(tokens);
	},

	/** The refresh token this tab reads from its store (localStorage reaches other tabs after a while). */
	async storedRefreshToken(kind) {
		return (await stores[kind].get())?.refreshToken ?? null;
	},

	/** A fresh client on this page's store of `kind`, coordinated with the other tabs (tabs on, as in any browser app). */
	prepare(kind) {
		client?.dispose();
		reauths = 0;
		client = createClient({
			baseUrl,
			auth: { type: "bearer", store: stores[kind], refresh: oauthRefresh({ tokenEndpoint, clientId: "bench" }) },
			reauthenticate: () => {
				reauths++;
				return Promise.reject(new Error("bench: no interactive sign-in"));
			},
			tabs: { name: "bench" },
			ky: { retry: 0 },
		});
	},

	/** At `startAt` (epoch ms), `count` concurrent GETs through the prepared client; stamps on a clock all tabs share. */
	async fire(count, startAt) {
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - clock())));
		const start = clock();
		const settled = await Promise.allSettled(Array.from({ length: count }, () => client.get("items", { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })));
		const end = clock();
		let ok = 0;
		const kinds = {};
		for (const result of settled) {
			if (result.status === "fulfilled" && result.value?.name === "item") ok++;
			else {
				const kind = result.status === "fulfilled" ? "wrong body" : failureKind(result.reason);
				kinds[kind] = (kinds[kind] ?? 0) + 1;
			}
		}
		return { start, end, ok, kinds, reauths, status: client.session.getSnapshot().status };
	},

	dispose() {
		client?.dispose();
		client = undefined;
	},

	/**
	 * From creating the client to the first response's parsed body, one contender: plain ky with the token in hand,
	 * or tokenflight's createClient on a store of `kind` (the store is created inside the timed span too).
	 */
	async first(contender, tokens) {
		let body;
		let dispose = () => {};
		const t0 = performance.now();
		if (contender === "ky") {
			const api = ky.create({ prefix: baseUrl, headers: { authorization: `Bearer ${tokens.accessToken}` } });
			body = await api.get("items").json();
		} else {
			const store =
				contender === "memory" ? memoryTokenStore(tokens) : contender === "localStorage" ? storageTokenStore(localStorage, STORAGE_KEY) : indexedDbTokenStore(IDB_NAME);
			const api = createClient({
				baseUrl,
				auth: { type: "bearer", store, refresh: oauthRefresh({ tokenEndpoint, clientId: "bench" }) },
				reauthenticate: () => Promise.reject(new Error("bench: no interactive sign-in")),
			});
			dispose = () => api.dispose();
			body = await api.get("items");
		}
		const ms = performance.now() - t0;
		dispose();
		if (body?.name !== "item") throw new Error(`bench: ${contender} got an unexpected body`);
		return ms;
	},
};
