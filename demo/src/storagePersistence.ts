// The demo's Web Storage persistence for the mock backend (tokenflight/msw's `persistence` option): only the demo keeps
// its backend across reloads and tabs, so this ships with the demo, not in the package.
import type { MockAuthPersistence } from "../../src/msw/index.js";
import { randomId } from "../../src/msw/random.js";

export type StoragePersistenceOptions = {
	/** Prefix of the storage keys. @default "tokenflight:mock-auth" */
	key?: string;
	/**
	 * This instance's slot. Keep one per tab (e.g. an id in sessionStorage) so reloads reuse it; two
	 * instances must never share one. @default a random id
	 */
	writer?: string;
};

/**
 * Persistence in a Web Storage: with `localStorage`, every tab of the origin and every reload sees one backend,
 * as a real server would be. Each instance writes only its own key and reads everyone's: tabs see each other's
 * writes late and in whole values, so one shared key would let a tab's stale write erase another tab's change.
 * Unreadable or unwritable storage degrades to a backend per page.
 */
export function storagePersistence(storage: { getItem(key: string): string | null; setItem(key: string, value: string): void; key(index: number): string | null; readonly length: number }, options: StoragePersistenceOptions = {}): MockAuthPersistence {
	const prefix = `${options.key ?? "tokenflight:mock-auth"}:`;
	const own = `${prefix}${options.writer ?? randomId("w", 8)}`;
	// Parsed values by key, reused while the text is unchanged: the server skips states it has already merged.
	const parsed = new Map<string, { raw: string; value: unknown }>();

	return {
		load() {
			const states: unknown[] = [];
			try {
				for (let i = 0; i < storage.length; i++) {
					const key = storage.key(i);
					if (key === null || !key.startsWith(prefix)) continue;
					const raw = storage.getItem(key);
					if (raw === null) continue;
					const cached = parsed.get(key);
					if (cached?.raw === raw) {
						states.push(cached.value);
						continue;
					}
					try {
						const value: unknown = JSON.parse(raw);
						parsed.set(key, { raw, value });
						states.push(value);
					} catch {
						// Another writer's garbage is skipped; the server keeps what it knows.
					}
				}
			} catch {
				return undefined;
			}
			return states;
		},
		save(state) {
			try {
				storage.setItem(own, JSON.stringify(state));
			} catch {
				// A full or blocked storage leaves this page with its own in-memory backend.
			}
		},
	};
}
