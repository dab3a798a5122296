// A tab's next refresh flight while it still holds the lock, with Web Locks' steal semantics. The test failed on the
// code before its fix, except where a comment says otherwise.
import { describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client } from "../../src/index.js";
import type { LockManagerLike } from "../../src/tabs/webLock.js";
import { captureUnhandled, disposedAfterEach, track } from "../helpers/async.js";
import { fakeFetch } from "../helpers/fakeFetch.js";
import { signalIgnoringRefresh } from "../helpers/refresh.js";
import { memoryStorage } from "../helpers/storage.js";

/** Closer to Web Locks on steal: the stolen holder's request promise rejects with AbortError at once, and its callback finishing later releases nothing. */
function stealingLocks() {
	type Holder = { reject: (e: unknown) => void; done: boolean };
	type Lock = { holder: Holder | undefined; queue: { grant: () => void; signal?: AbortSignal | undefined; reject: (e: unknown) => void }[] };
	// One exclusive lock per name, as Web Locks keep them.
	const byName = new Map<string, Lock>();
	let steals = 0;
	const locks: LockManagerLike = {
		request(name, options, callback) {
			const lock = byName.get(name) ?? { holder: undefined, queue: [] };
			byName.set(name, lock);
			const { queue } = lock;
			const next = () => {
				lock.holder = undefined;
				queue.shift()?.grant();
			};
			return new Promise((resolve, reject) => {
				if (options.signal?.aborted) return reject(options.signal.reason);
				const grant = () => {
					const me: Holder = { reject, done: false };
					lock.holder = me;
					callback({ name }).then(
						(v) => {
							if (me.done) return;
							me.done = true;
							resolve(v);
							if (lock.holder === me) next();
						},
						(e) => {
							if (me.done) return;
							me.done = true;
							reject(e);
							if (lock.holder === me) next();
						},
					);
				};
				if (options.steal) {
					steals++;
					if (lock.holder) {
						lock.holder.done = true;
						lock.holder.reject(new DOMException("stolen", "AbortError"));
					}
					return grant();
				}
				if (!lock.holder) return grant();
				if (options.ifAvailable) return void callback(null).then(resolve, reject);
				const waiter = { grant, signal: options.signal, reject };
				queue.push(waiter);
				options.signal?.addEventListener("abort", () => {
					const i = queue.indexOf(waiter);
					if (i >= 0) queue.splice(i, 1), reject(options.signal!.reason);
				});
			});
		},
	};
	return { locks, get steals() { return steals; } };
}

const clients = disposedAfterEach();

// With a lock fake that has Web Locks' steal semantics (a stolen holder's request rejects). It was written for a
// self-steal at 86 s; there is none now (the tab's next flight runs inside its own hold), and it checks that instead.
describe("a tab's next flight while it holds the lock on, with Web Locks' steal semantics", () => {
	it("no unhandled rejection; a late answer after both flights is stored once; dispose leaves no timers", async () => {
		await captureUnhandled(async (rejections) => {
			vi.useFakeTimers();
			const fake = stealingLocks();
			const store = memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" });
			const { refresh, calls, events } = signalIgnoringRefresh();
			const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
			const client = createClient({
				baseUrl: "https://app.example/api/",
				auth: { type: "bearer", store, refresh },
				tabs: { locks: fake.locks, channel: null, visibility: null },
				reauthenticate: () => undefined,
				reloadGuard: { storage: memoryStorage(), history: null },
				ky: { fetch: api.fetch, retry: 0 },
			});
			clients.push(client);
			void client.get("me").catch(() => undefined);
			await vi.advanceTimersByTimeAsync(21_000);
			const second = track(client.get("me"));
			await vi.advanceTimersByTimeAsync(70_000);
			expect(fake.steals).toBe(0);
			expect(second.status).toBe("rejected");
			calls[0]!.resolve({ accessToken: "at-2", refreshToken: "rt-2" });
			await vi.advanceTimersByTimeAsync(1_000);
			expect(store.get()).toEqual({ accessToken: "at-2", refreshToken: "rt-2" });
			const third = track(client.get("me"));
			await vi.advanceTimersByTimeAsync(1_000);
			expect(third.status).toBe("fulfilled");
			client.dispose();
			await vi.advanceTimersByTimeAsync(0);
			expect(vi.getTimerCount()).toBe(0);
			vi.useRealTimers();
			await new Promise((r) => setTimeout(r, 20));
			expect(rejections).toEqual([]);
		});
	});
});
