import type { TokenLock } from "../tabs/tokenLock.js";
import type { LateCalls } from "./lateCalls.js";

/**
 * This tab's hold on refresh tokens' own locks (tokenLock.ts): taken before a token is presented, given back once no
 * timed-out call with it may still answer. A token another tab held past a whole wait is only looked at afterwards, so
 * a request that refreshes twice waits once.
 */
export function tokenClaims(lock: TokenLock | undefined, late: LateCalls, signal: AbortSignal) {
	const claimed = new Set<string | undefined>();
	const busy = new Set<string | undefined>();
	return {
		/** The release once held; null when another tab still holds it by `until` (epoch ms); undefined: nothing to take. */
		async take(refreshToken: string | undefined, until: number): Promise<(() => void) | null | undefined> {
			if (!lock || claimed.has(refreshToken)) return undefined;
			const release = await lock(refreshToken, busy.has(refreshToken) ? 0 : until - Date.now(), signal);
			if (!release) {
				busy.add(refreshToken);
				return null;
			}
			busy.delete(refreshToken);
			claimed.add(refreshToken);
			return release;
		},
		/** Kept while a timed-out call with it may still answer: its answer is stored before another tab reads the store. */
		give(refreshToken: string | undefined, epoch: number, release: () => void): void {
			const done = () => {
				claimed.delete(refreshToken);
				release();
			};
			const unsettled = late.pending(refreshToken, epoch);
			if (unsettled) void unsettled.result.then(done);
			else done();
		},
	};
}
