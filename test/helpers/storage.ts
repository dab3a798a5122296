import type { StorageLike } from "../../src/index.js";

export function memoryStorage(): StorageLike & { data: Map<string, string> } {
	const data = new Map<string, string>();
	return {
		data,
		getItem: (key) => data.get(key) ?? null,
		setItem: (key, value) => void data.set(key, String(value)),
		removeItem: (key) => void data.delete(key),
	};
}

/** Safari private mode and sandboxed iframes: every access throws. */
export function throwingStorage(): StorageLike {
	const fail = () => {
		throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
	};
	return { getItem: fail, setItem: fail, removeItem: fail };
}

export function memoryHistory(): Pick<History, "state" | "replaceState"> {
	let state: unknown = null;
	return {
		get state() {
			return state;
		},
		replaceState(next: unknown) {
			state = structuredClone(next);
		},
	};
}
