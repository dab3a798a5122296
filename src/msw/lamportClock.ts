/**
 * A logical clock for last-writer-wins values shared between instances: a write is stamped after every stamp
 * this instance has seen, so a change made after seeing another one always wins over it, whatever the wall
 * clocks say. Concurrent writes (neither saw the other) are ordered by writer id.
 */
export function createLamportClock() {
	let latest = 0;
	return {
		tick(): number {
			return ++latest;
		},
		observe(stamp: number): void {
			latest = Math.max(latest, stamp);
		},
	};
}

export type LamportClock = ReturnType<typeof createLamportClock>;

/** A value with the stamp and writer of its last write. */
export type Stamped<T> = { value: T; at: number; by: string };

/** Whether `candidate` was written after `current`: later stamp, or the same stamp from a greater writer id. */
export function isNewer(candidate: { at: number; by: string }, current: { at: number; by: string }): boolean {
	return candidate.at > current.at || (candidate.at === current.at && candidate.by > current.by);
}
