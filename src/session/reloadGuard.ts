import type { StorageLike } from "../tokens/tokenStores.js";

/** The part of `history` the guard uses; spelled out so a project without the DOM lib can use the types. */
export type HistoryLike = { readonly state: unknown; replaceState(data: unknown, unused: string, url?: string | URL | null): void };

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
	history?: HistoryLike | null;
	/** This tab's id, stable across reloads; set by the client when tabs are coordinated. */
	tabId?: string | null;
};

export type ReloadGuard = {
	/**
	 * Records an attempt and returns true, or returns false when the budget is spent or nothing can persist the count.
	 * `episode` names what failed (a fingerprint of the dead credential): other tabs failing on the same credential
	 * join that attempt instead of spending the budget again, but a tab never joins an attempt twice, so a tab that
	 * reloads into the same failure counts anew.
	 */
	tryAttempt(episode?: string): boolean;
	reset(): void;
	attempts(): number;
};

type Attempt = { t: number; k: string; tabs: string[] };
type Persistence = { read(): Attempt[] | null; write(attempts: Attempt[]): boolean };

export function createReloadGuard(options: ReloadGuardOptions = {}, now: () => number = Date.now): ReloadGuard {
	const maxAttempts = options.maxAttempts ?? 2;
	const windowMs = options.windowMs ?? 60_000;
	const key = options.key ?? "tokenflight:reauth";
	const storage = options.storage === undefined ? globalStorage() : options.storage;
	const history = options.history === undefined ? globalHistory() : options.history;
	// In an opaque origin (a sandboxed iframe) Chromium accepts history.state writes and loses them on reload: a count
	// kept there would not stop a loop, so it is not used.
	const historyUsable = history !== null && (options.history !== undefined || (globalThis as { origin?: string }).origin !== "null");
	const layers = [storage && storageLayer(storage, key), historyUsable && history && historyLayer(history, key)].filter(
		(layer): layer is Persistence => Boolean(layer),
	);
	// Where nothing can reload (Node, workers, React Native), a count in memory cannot be lost to a reload, and
	// re-authentication (a popup, a message to the main thread) needs no page. Where a page can reload, a count
	// that dies with the reload could loop, so nothing is allowed.
	if (layers.length === 0 && !canReload()) layers.push(memoryLayer());
	const tab = options.tabId ?? null;

	function load(): Attempt[] | null {
		for (const layer of layers) {
			const value = layer.read();
			if (value) return value;
		}
		return layers.length > 0 ? [] : null;
	}

	function recent(list: Attempt[]): Attempt[] {
		const cutoff = now() - windowMs;
		return list.filter((attempt) => attempt.t > cutoff);
	}

	return {
		tryAttempt(episode = "") {
			const stored = load();
			if (stored === null) return false;
			const attempts = recent(stored);
			const joinable = tab !== null && episode !== "" ? attempts.find((a) => a.k === episode && !a.tabs.includes(tab)) : undefined;
			if (joinable) joinable.tabs.push(tab!);
			else if (attempts.length >= maxAttempts) return false;
			else attempts.push({ t: now(), k: episode, tabs: tab === null ? [] : [tab] });
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

function memoryLayer(): Persistence {
	let attempts: Attempt[] = [];
	return {
		read: () => attempts.map((attempt) => ({ ...attempt, tabs: [...attempt.tabs] })),
		write(next) {
			attempts = next;
			return true;
		},
	};
}

function canReload(): boolean {
	return typeof (globalThis as { location?: { reload?: unknown } }).location?.reload === "function";
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

function historyLayer(history: HistoryLike, key: string): Persistence {
	return {
		read() {
			try {
				const state: unknown = history.state;
				const value = typeof state === "object" && state !== null ? (state as Record<string, unknown>)[key] : undefined;
				return value === undefined ? null : toAttempts(value);
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

function parseAttempts(raw: string | null): Attempt[] | null {
	if (raw === null) return null;
	try {
		return toAttempts(JSON.parse(raw));
	} catch {
		return [];
	}
}

function toAttempts(value: unknown): Attempt[] {
	if (!Array.isArray(value)) return [];
	return value.flatMap((item: unknown): Attempt[] => {
		if (typeof item === "number") return [{ t: item, k: "", tabs: [] }];
		if (typeof item !== "object" || item === null) return [];
		const { t, k, tabs } = item as Record<string, unknown>;
		if (typeof t !== "number") return [];
		return [{ t, k: typeof k === "string" ? k : "", tabs: Array.isArray(tabs) ? tabs.filter((x): x is string => typeof x === "string") : [] }];
	});
}

/**
 * A per-tab id that survives reloads (sessionStorage, else history.state), or null when none can:
 * without a stable id a tab could join its own earlier attempt after every reload.
 */
export function persistentTabId(
	storage: StorageLike | null = globalStorage(),
	history: HistoryLike | null = globalHistory(),
	key = "tokenflight:tab",
): string | null {
	const fresh = Math.random().toString(36).slice(2, 12);
	try {
		if (storage) {
			const existing = storage.getItem(key);
			if (existing) return existing;
			storage.setItem(key, fresh);
			if (storage.getItem(key) === fresh) return fresh;
		}
	} catch {
		// Fall through to history.state.
	}
	try {
		if (history) {
			const state: unknown = history.state;
			const existing = typeof state === "object" && state !== null ? (state as Record<string, unknown>)[key] : undefined;
			if (typeof existing === "string") return existing;
			history.replaceState({ ...(typeof state === "object" && state !== null ? state : {}), [key]: fresh }, "");
			return fresh;
		}
	} catch {
		// No way to persist an id.
	}
	return null;
}

function globalStorage(): StorageLike | null {
	try {
		return globalThis.sessionStorage ?? null;
	} catch {
		// Accessing sessionStorage itself throws in some sandboxed iframes.
		return null;
	}
}

function globalHistory(): HistoryLike | null {
	return typeof globalThis.history === "object" && globalThis.history !== null ? globalThis.history : null;
}
