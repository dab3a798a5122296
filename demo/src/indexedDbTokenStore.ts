import type { TokenSet, TokenStore } from "../../src/index.js";

/**
 * Tokens in IndexedDB. Unlike localStorage, whose changes reach other tabs a moment later, an IndexedDB read
 * starts after every transaction committed before it: a tab granted the refresh lock reads the tokens the
 * previous holder wrote, never the ones it rotated away. `set` resolves once the write is committed.
 */
export function indexedDbTokenStore(name = "demo-tokens"): TokenStore {
	let database: Promise<IDBDatabase> | undefined;

	function open(): Promise<IDBDatabase> {
		database ??= new Promise((resolve, reject) => {
			const request = indexedDB.open(name, 1);
			request.onupgradeneeded = () => request.result.createObjectStore("tokens");
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		return database;
	}

	async function run<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T> | undefined): Promise<T | undefined> {
		const transaction = (await open()).transaction("tokens", mode);
		const request = use(transaction.objectStore("tokens"));
		return new Promise((resolve, reject) => {
			transaction.oncomplete = () => resolve(request?.result);
			transaction.onerror = () => reject(transaction.error);
			transaction.onabort = () => reject(transaction.error);
		});
	}

	return {
		async get() {
			const value = await run<unknown>("readonly", (store) => store.get("current"));
			return isTokens(value) ? value : null;
		},
		async set(tokens) {
			await run("readwrite", (store) => store.put({ ...tokens }, "current"));
		},
		async clear() {
			await run("readwrite", (store) => store.delete("current"));
		},
	};
}

function isTokens(value: unknown): value is TokenSet {
	return typeof value === "object" && value !== null && typeof (value as { accessToken?: unknown }).accessToken === "string";
}
