import { isTokenSet, memoryTokenStore } from "./tokenStores.js";
import type { TokenStore } from "./types.js";

/**
 * Tokens in IndexedDB: the store to share between tabs. A read starts after every transaction committed
 * before it, so a tab granted the refresh lock sees the tokens the previous holder wrote, where localStorage
 * can still show the refresh token that was just rotated away. `set` resolves once the write is committed.
 * Where IndexedDB is missing or refuses to open (some private modes), it degrades to memory for this page.
 */
export function indexedDbTokenStore(name = "tokenflight", key = "tokens"): TokenStore {
	const fallback = memoryTokenStore();
	let database: Promise<IDBDatabase | null> | undefined;

	function open(): Promise<IDBDatabase | null> {
		database ??= new Promise((resolve) => {
			try {
				const request = globalThis.indexedDB.open(name, 1);
				request.onupgradeneeded = () => request.result.createObjectStore("tokens");
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => resolve(null);
				request.onblocked = () => resolve(null);
			} catch {
				resolve(null);
			}
		});
		return database;
	}

	async function run<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<{ ok: boolean; value?: T }> {
		const db = await open();
		if (!db) return { ok: false };
		try {
			const transaction = db.transaction("tokens", mode);
			const request = use(transaction.objectStore("tokens"));
			return await new Promise((resolve) => {
				transaction.oncomplete = () => resolve({ ok: true, value: request.result });
				transaction.onerror = () => resolve({ ok: false });
				transaction.onabort = () => resolve({ ok: false });
			});
		} catch {
			return { ok: false };
		}
	}

	return {
		async get() {
			const result = await run("readonly", (store) => store.get(key));
			if (!result.ok) return fallback.get();
			return isTokenSet(result.value) ? result.value : null;
		},
		async set(tokens) {
			fallback.set(tokens);
			await run("readwrite", (store) => store.put({ ...tokens }, key));
		},
		async clear() {
			fallback.clear();
			await run("readwrite", (store) => store.delete(key));
		},
	};
}
