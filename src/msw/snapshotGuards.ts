// Persisted state comes back from storage that anything could have written; these keep a bad value from half-restoring a store.

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isCount(value: unknown): value is number {
	return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

export function isTime(value: unknown): value is number {
	return typeof value === "number" && Number.isFinite(value);
}

/** `value` when it is an array whose every item passes `guard`. */
export function arrayOf<T>(value: unknown, guard: (item: unknown) => item is T): T[] | undefined {
	return Array.isArray(value) && value.every(guard) ? value : undefined;
}

/** `value` as `[key, record]` pairs when every key is a string and every record passes `guard`. */
export function entriesOf<T>(value: unknown, guard: (item: unknown) => item is T): [string, T][] | undefined {
	return arrayOf(value, (item): item is [string, T] => Array.isArray(item) && item.length === 2 && typeof item[0] === "string" && guard(item[1]));
}
