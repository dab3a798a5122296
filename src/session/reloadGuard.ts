import type { StorageLike } from "../tokens/tokenStores.js";

export type ReloadGuardOptions = {
	/**
	 * How many re-authentication attempts (reloads, redirects) are allowed within `windowMs`.
	 * The next unrecoverable 401 past that signs the session out instead.
	 * @default 2
	 */
	maxAttempts?: number;
	/** @default 60_000 */
	windowMs?: number;
	/**
	 * Where attempts are counted so that the count survives a reload.
	 * Use `localStorage` to share one budget between tabs.
	 * @default sessionStorage
	 */
	storage?: StorageLike | null;
	/** Key under which attempts are recorded. @default "tokenflight:reauth" */
	key?: string;
	/**
	 * Used when `storage` is missing or throws: `history.state` survives a reload of the same entry.
	 * @default globalThis.history
	 */
	history?: Pick<History, "state" | "replaceState"> | null;
};

export type ReloadGuard = {
	/** Records an attempt and returns true, or returns false when the budget is spent or nothing can persist the count. */
	tryAttempt(): boolean;
	reset(): void;
	attempts(): number;
};

type Persistence = { read(): number[] | null; write(attempts: number[]): boolean };

export function createReloadGuard(options: ReloadGuardOptions = {}, now: () => number = Date.now): ReloadGuard {
	const maxAttempts = options.maxAttempts ?? 2;
	const windowMs = options.windowMs ?? 60_000;
	const key = options.key ?? "tokenflight:reauth";
	const storage = options.storage === undefined ? globalStorage() : options.storage;
	const history = options.history === undefined ? globalHistory() : options.history;
	const layers = [storage && storageLayer(storage, key), history && historyLayer(history, key)].filter(
		(layer): layer is Persistence => Boolean(layer),
	);

	function load(): number[] | null {
		for (const layer of layers) {
			const value = layer.read();
			if (value) return value;
		}
		return layers.length > 0 ? [] : null;
	}

	function recent(list: number[]): number[] {
		const cutoff = now() - windowMs;
		return list.filter((time) => time > cutoff);
	}

	return {
		tryAttempt() {
			const stored = load();
			if (stored === null) return false;
			const attempts = recent(stored);
			if (attempts.length >= maxAttempts) return false;
			attempts.push(now());
			// Only an attempt we could persist is allowed: counting in memory dies with the reload it causes.
			return layers.some((layer) => layer.write(attempts));
		},
		reset() {
			for (const layer of layers) layer.write([]);
		},
		attempts() {
			return recent(load() ?? []).length;
		},
	};
}

function storageLayer(storage: StorageLike, key: string): Persistence {
	return {
		read() {
			try {
				return parseAttempts(storage.getItem(key));
			} catch {
				return null;
			}
		},
		write(attempts) {
			try {
				if (attempts.length === 0) storage.removeItem(key);
				else storage.setItem(key, JSON.stringify(attempts));
				return true;
			} catch {
				return false;
			}
		},
	};
}

function historyLayer(history: Pick<History, "state" | "replaceState">, key: string): Persistence {
	return {
		read() {
			try {
				const state: unknown = history.state;
				const value = typeof state === "object" && state !== null ? (state as Record<string, unknown>)[key] : undefined;
				return Array.isArray(value) ? value.filter((item): item is number => typeof item === "number") : null;
			} catch {
				return null;
			}
		},
		write(attempts) {
			try {
				const state: unknown = history.state;
				const base = typeof state === "object" && state !== null ? state : {};
				history.replaceState({ ...base, [key]: attempts }, "");
				return true;
			} catch {
				return false;
			}
		},
	};
}

function parseAttempts(raw: string | null): number[] | null {
	if (raw === null) return null;
	try {
		const value: unknown = JSON.parse(raw);
		return Array.isArray(value) ? value.filter((item): item is number => typeof item === "number") : [];
	} catch {
		return [];
	}
}

function globalStorage(): StorageLike | null {
	try {
		return globalThis.sessionStorage ?? null;
	} catch {
		// Accessing sessionStorage itself throws in some sandboxed iframes.
		return null;
	}
}

function globalHistory(): Pick<History, "state" | "replaceState"> | null {
	return typeof globalThis.history === "object" && globalThis.history !== null ? globalThis.history : null;
}
