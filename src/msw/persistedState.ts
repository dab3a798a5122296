import { isCount, isRecord } from "./snapshotGuards.js";

/**
 * Where a mock backend keeps its state between page loads and shares it between instances (tabs).
 * `save` gets this instance's whole state; `load` returns every saved state there is (one, or an array of
 * them when each instance writes its own slot), or nothing yet. The server merges all of them.
 */
export type MockAuthPersistence = {
	load(): unknown;
	save(state: unknown): void;
};

/**
 * One store of the backend: its JSON form, a merge that only ever adds what another instance knows (so states
 * can be merged in any order, any number of times), and a parser that refuses anything malformed.
 */
export type PersistedPart<S> = {
	snapshot(): S;
	merge(snapshot: S): void;
	/** Forget everything: a newer epoch (a reset elsewhere) replaces this instance's state. */
	clear(): void;
	parse(value: unknown): S | undefined;
};

export type PersistedState = {
	/** Merges every persisted state into this instance's. */
	sync(): void;
	/** Saves this instance's state, if it changed since the last save. */
	commit(): void;
	/**
	 * `sync`, `fn`, `commit`, with nothing awaited in between: another instance can only change the shared
	 * state before or after. Nested calls join the outer one.
	 */
	transact<T>(fn: () => T): T;
	/** Starts a new epoch: states saved in earlier ones are ignored from now on, by every instance. Call in `transact`. */
	newEpoch(): void;
};

// Bumped when a part's snapshot changes shape: an older saved state is then ignored, not misread.
const version = 2;

export function createPersistedState<S extends Record<string, unknown>>(
	persistence: MockAuthPersistence | undefined,
	parts: { [K in keyof S]: PersistedPart<S[K]> },
): PersistedState {
	const keys = Object.keys(parts) as (keyof S & string)[];
	let depth = 0;
	let epoch = 0;
	let saved: string | undefined;
	// Loaded states already merged: merging again would change nothing, so they are skipped.
	const merged = new WeakSet<object>();

	function parse(value: unknown): { epoch: number; parts: Partial<S> } | undefined {
		if (!isRecord(value) || value.version !== version || !isCount(value.epoch)) return undefined;
		const parsed: Partial<S> = {};
		for (const key of keys) {
			const part = parts[key].parse(value[key]);
			if (part === undefined) return undefined;
			parsed[key] = part;
		}
		return { epoch: value.epoch, parts: parsed };
	}

	function sync(): void {
		if (!persistence || depth > 0) return;
		const loaded = persistence.load();
		const states = (Array.isArray(loaded) ? loaded : [loaded]).filter((state): state is object => isRecord(state) && !merged.has(state));
		// Every state is parsed before any is merged, so a malformed one never leaves half the stores updated.
		const parsed = states.map((state) => ({ state, valid: parse(state) }));
		const newest = Math.max(epoch, ...parsed.map(({ valid }) => valid?.epoch ?? 0));
		if (newest > epoch) {
			for (const key of keys) parts[key].clear();
			epoch = newest;
		}
		for (const { state, valid } of parsed) {
			merged.add(state);
			if (valid?.epoch !== epoch) continue;
			for (const key of keys) parts[key].merge(valid.parts[key] as S[typeof key]);
		}
	}

	function commit(): void {
		if (!persistence || depth > 0) return;
		const state: Record<string, unknown> = { version, epoch };
		for (const key of keys) state[key] = parts[key].snapshot();
		const json = JSON.stringify(state);
		if (json === saved) return;
		persistence.save(state);
		saved = json;
	}

	return {
		sync,
		commit,
		transact(fn) {
			if (!persistence) return fn();
			sync();
			depth++;
			try {
				return fn();
			} finally {
				depth--;
				commit();
			}
		},
		newEpoch() {
			epoch++;
		},
	};
}
