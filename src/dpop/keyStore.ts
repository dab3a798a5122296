import type { PublicJwk } from "./jose.js";

/** One DPoP key: the private half never leaves WebCrypto (non-extractable), the public half as a JWK. */
export type KeyRecord = { privateKey: CryptoKey; jwk: PublicJwk };

export type KeyStore = {
	/** The key, created on first use. */
	load(): Promise<KeyRecord>;
	/** Replaces the key (every tab of the app moves to the new one). */
	rotate(): Promise<KeyRecord>;
	/** Stops listening for other tabs' rotations. */
	close(): void;
};

const storeName = "keys";
const recordKey = "dpop";

/** A new ES256 key pair whose private key cannot be exported: script can use it to sign, never read it out. */
export async function generateKeyRecord(): Promise<KeyRecord> {
	const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
	// The public key of a generated pair is always extractable (WebCrypto), whatever `extractable` says.
	const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
	if (kty !== "EC" || crv !== "P-256" || typeof x !== "string" || typeof y !== "string") throw new TypeError("tokenflight/dpop: WebCrypto exported an unexpected public key");
	return { privateKey: pair.privateKey, jwk: { kty, crv, x, y } };
}

function isKeyRecord(value: unknown): value is KeyRecord {
	if (typeof value !== "object" || value === null) return false;
	const { privateKey, jwk } = value as Partial<KeyRecord>;
	return (
		typeof CryptoKey === "function" &&
		privateKey instanceof CryptoKey &&
		privateKey.type === "private" &&
		typeof jwk === "object" &&
		jwk !== null &&
		jwk.kty === "EC" &&
		jwk.crv === "P-256" &&
		typeof jwk.x === "string" &&
		typeof jwk.y === "string"
	);
}

/** The key in this page's memory only: gone on reload, not shared with other tabs. */
export function memoryKeyStore(): KeyStore {
	let current: Promise<KeyRecord> | undefined;
	const remember = (record: Promise<KeyRecord>) => {
		current = record;
		// A failure (no WebCrypto) is not cached: the next proof tries again.
		record.catch(() => {
			if (current === record) current = undefined;
		});
		return record;
	};
	return {
		load: () => current ?? remember(generateKeyRecord()),
		rotate: () => remember(generateKeyRecord()),
		close: () => undefined,
	};
}

/**
 * The key in IndexedDB (database `name`): one per app, shared by all its tabs, kept across reloads. CryptoKey objects
 * are structured-cloneable, so the non-extractable private key is stored as a key, never as bytes. Where IndexedDB is
 * missing or refuses to open (Node, some private modes), the key lives in this page's memory instead.
 */
export function indexedDbKeyStore(name: string): KeyStore {
	const fallback = memoryKeyStore();
	let database: Promise<IDBDatabase | null> | undefined;
	// The key as this tab last read or wrote it; another tab's rotation drops it (see `channel`).
	let cached: Promise<KeyRecord> | undefined;
	let channel: BroadcastChannel | undefined;

	function open(): Promise<IDBDatabase | null> {
		database ??= new Promise<IDBDatabase | null>((resolve) => {
			try {
				const request = globalThis.indexedDB.open(name, 1);
				request.onupgradeneeded = () => request.result.createObjectStore(storeName);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => resolve(null);
				request.onblocked = () => resolve(null);
			} catch {
				resolve(null);
			}
		}).then((db) => {
			if (db) {
				listen();
				// Another page deletes or upgrades the database ("clear site data"): let it, and open it again next time.
				db.onversionchange = () => {
					db.close();
					database = undefined;
					cached = undefined;
				};
			}
			return db;
		});
		return database;
	}

	// Tabs cache the key; a rotation in one tab tells the others to read it again.
	function listen(): void {
		if (channel || typeof BroadcastChannel !== "function") return;
		channel = new BroadcastChannel(name);
		channel.onmessage = () => {
			cached = undefined;
		};
	}

	/** Runs `use` in one transaction; resolves its result once committed, or `failed` when the transaction did not commit. */
	function transact<T>(db: IDBDatabase, mode: IDBTransactionMode, use: (store: IDBObjectStore) => () => T): Promise<{ ok: true; value: T } | { ok: false }> {
		return new Promise((resolve) => {
			try {
				const transaction = db.transaction(storeName, mode);
				const result = use(transaction.objectStore(storeName));
				transaction.oncomplete = () => resolve({ ok: true, value: result() });
				transaction.onerror = () => resolve({ ok: false });
				transaction.onabort = () => resolve({ ok: false });
			} catch {
				resolve({ ok: false });
			}
		});
	}

	function read(db: IDBDatabase) {
		return transact(db, "readonly", (store) => {
			const request = store.get(recordKey);
			return () => request.result as unknown;
		});
	}

	/**
	 * Stores `created` unless a key is already there, in one readwrite transaction. IndexedDB runs readwrite
	 * transactions on the same store one after another, so when two tabs create a key at once, the second finds the
	 * first's and uses it: every tab ends up with the same key. (`add` would refuse to overwrite it anyway.)
	 */
	function addUnlessPresent(db: IDBDatabase, created: KeyRecord) {
		return transact(db, "readwrite", (store) => {
			let winner = created;
			const request = store.get(recordKey);
			request.onsuccess = () => {
				if (isKeyRecord(request.result)) winner = request.result;
				else if (request.result === undefined) store.add(created, recordKey);
				// Something that is not a key (another version's record, a corrupted value): replaced.
				else store.put(created, recordKey);
			};
			return () => winner;
		});
	}

	async function loadFromDatabase(): Promise<KeyRecord> {
		const db = await open();
		if (!db) return fallback.load();
		const existing = await read(db);
		if (!existing.ok) return fallback.load();
		if (isKeyRecord(existing.value)) return existing.value;
		const created = await generateKeyRecord();
		const stored = await addUnlessPresent(db, created);
		if (stored.ok) return stored.value;
		// The write failed (quota, a constraint another tab won): whatever is there now is the key.
		const again = await read(db);
		return again.ok && isKeyRecord(again.value) ? again.value : created;
	}

	function remember(record: Promise<KeyRecord>): Promise<KeyRecord> {
		cached = record;
		record.catch(() => {
			if (cached === record) cached = undefined;
		});
		return record;
	}

	return {
		load: () => cached ?? remember(loadFromDatabase()),
		rotate() {
			return remember(
				(async () => {
					const db = await open();
					if (!db) return fallback.rotate();
					const created = await generateKeyRecord();
					const written = await transact(db, "readwrite", (store) => {
						store.put(created, recordKey);
						return () => undefined;
					});
					if (written.ok) channel?.postMessage("rotated");
					return created;
				})(),
			);
		},
		close() {
			channel?.close();
			channel = undefined;
		},
	};
}
