/** Runs `fn` holding a cross-tab lock. `signal` gives up waiting for the lock (a disposed client never takes it). */
export type LockRunner = <T>(fn: () => Promise<T>, signal?: AbortSignal) => Promise<T>;
