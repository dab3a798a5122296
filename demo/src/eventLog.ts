/** One line of the event log. `kind` only styles it. */
export type LogEntry = { t: number; kind: LogKind; text: string };
export type LogKind = "info" | "ok" | "warn" | "error" | "load" | "action";

/** Per-tab numbers that must survive the reloads they are about. */
export type PageCounters = { pageLoads: number; reloads: number; toastsTotal: number; toastsThisPage: number };

const logKey = "demo:log";
const countersKey = "demo:counters";
const startKey = "demo:log-start";
const maxEntries = 300;

/**
 * The event log and counters live in sessionStorage: they survive the reloads the demo is about (so a toast
 * that flashed just before a reload is still on record) and stay per tab.
 */
export function createEventLog(storage: Storage = sessionStorage) {
	const listeners = new Set<() => void>();
	let counters = readCounters();

	function readEntries(): LogEntry[] {
		try {
			const value: unknown = JSON.parse(storage.getItem(logKey) ?? "[]");
			return Array.isArray(value) ? (value as LogEntry[]) : [];
		} catch {
			return [];
		}
	}

	function readCounters(): PageCounters {
		const fallback = { pageLoads: 0, reloads: 0, toastsTotal: 0, toastsThisPage: 0 };
		try {
			return { ...fallback, ...(JSON.parse(storage.getItem(countersKey) ?? "{}") as Partial<PageCounters>) };
		} catch {
			return fallback;
		}
	}

	function saveCounters(): void {
		storage.setItem(countersKey, JSON.stringify(counters));
	}

	/** When this tab's log began: its stamps are the time since then (`+1.2 s`), not clock times. */
	function startedAt(): number {
		const saved = Number(storage.getItem(startKey));
		if (Number.isFinite(saved) && saved > 0) return saved;
		const now = Date.now();
		storage.setItem(startKey, String(now));
		return now;
	}

	function add(kind: LogKind, text: string): void {
		startedAt();
		const entries = readEntries();
		entries.push({ t: Date.now(), kind, text });
		storage.setItem(logKey, JSON.stringify(entries.slice(-maxEntries)));
		for (const listener of listeners) listener();
	}

	return {
		add,
		entries: readEntries,
		startedAt,
		counters: () => ({ ...counters }),
		/** Starts this page's section of the log; reports the toasts the previous page showed before it went away. */
		pageLoaded(description: string): number {
			const previousToasts = counters.toastsThisPage;
			counters = { ...counters, pageLoads: counters.pageLoads + 1, toastsThisPage: 0 };
			saveCounters();
			add("load", `page load #${counters.pageLoads} · ${description}`);
			if (counters.pageLoads > 1) {
				add(previousToasts > 0 ? "error" : "ok", `${previousToasts} error toast${previousToasts === 1 ? "" : "s"} shown before the last reload`);
			}
			return counters.pageLoads;
		},
		/** Written before the page navigates away, since nothing after that point is guaranteed to run. */
		reloading(reason: string): void {
			counters = { ...counters, reloads: counters.reloads + 1 };
			saveCounters();
			add("warn", `reloading the page (${reason}) · reload #${counters.reloads}`);
		},
		toastShown(message: string): void {
			counters = { ...counters, toastsTotal: counters.toastsTotal + 1, toastsThisPage: counters.toastsThisPage + 1 };
			saveCounters();
			add("error", `toast: ${message}`);
		},
		clear(): void {
			storage.removeItem(logKey);
			storage.removeItem(countersKey);
			storage.removeItem(startKey);
			counters = readCounters();
			for (const listener of listeners) listener();
		},
		subscribe(listener: () => void): () => void {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
}

export type EventLog = ReturnType<typeof createEventLog>;
