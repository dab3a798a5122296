import type { LateCalls } from "./lateCalls.js";
import type { RefreshSession } from "./types.js";

/**
 * Runs flights while this tab holds the cross-tab lock. Callers have their answer when a flight ends, but the lock is held
 * on while a call of this session may still rotate a refresh token (it timed out, and its function ignores the signal):
 * another tab would present that token. Meanwhile this tab's next flights run inside the hold instead of queueing behind
 * it. A sign-in or sign-out ends it; a disposal does not (a rotation the server made is stored before another tab may
 * read the store).
 */
export function lockHold(late: LateCalls, session: RefreshSession) {
	let holder: { jobs: (() => Promise<void>)[]; wake: () => void } | undefined;
	return {
		/** Runs `job` in the hold under way; false when there is none. */
		join(job: () => Promise<void>): boolean {
			if (!holder) return false;
			holder.jobs.push(job);
			holder.wake();
			return true;
		},
		async hold(first: () => Promise<void>): Promise<void> {
			const state: NonNullable<typeof holder> = { jobs: [first], wake: () => {} };
			holder = state;
			try {
				for (;;) {
					while (state.jobs.length > 0) await state.jobs.shift()!();
					const pending = late.of(session.generation);
					if (pending.length === 0) return;
					await new Promise<void>((wake) => {
						let unwatch: (() => void) | undefined;
						state.wake = () => {
							unwatch?.();
							wake();
						};
						unwatch = session.watch(() => state.wake());
						void Promise.all(pending.map((call) => call.result)).then(() => state.wake());
					});
				}
			} finally {
				holder = undefined;
			}
		},
	};
}
