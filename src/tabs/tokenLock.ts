import { fingerprint } from "../session/fingerprint.js";
import type { LockManagerLike } from "./webLock.js";

/**
 * Holds the right to present one refresh token, in every tab: resolves with the release once held, or with null when
 * another tab still holds it after `waitMs` (0: only if free now) or `signal` aborted.
 */
export type TokenLock = (refreshToken: string | undefined, waitMs: number, signal?: AbortSignal) => Promise<(() => void) | null>;

/**
 * One Web Lock per refresh token (named by its fingerprint, never the token), held from before the token is presented
 * until the answer is stored, however long the call hangs. The refresh lock only orders the tabs; this one is what
 * keeps a token from being presented twice, so a tab may go on without the refresh lock when its holder hangs or is
 * frozen (a frozen tab keeps its locks; a closed one loses them, and with them any claim on a token).
 */
export function tokenLock(locks: LockManagerLike, name: string): TokenLock {
	return (refreshToken, waitMs, signal) =>
		new Promise((resolve) => {
			const controller = new AbortController();
			const timer = waitMs > 0 ? setTimeout(() => controller.abort(), waitMs) : undefined;
			const stop = () => controller.abort();
			signal?.addEventListener("abort", stop, { once: true });
			if (signal?.aborted) stop();
			let granted = false;
			const done = () => {
				clearTimeout(timer);
				signal?.removeEventListener("abort", stop);
			};
			const lockName = `${name}:${refreshToken === undefined ? "-" : fingerprint(refreshToken)}`;
			locks
				.request(lockName, waitMs > 0 ? { signal: controller.signal } : { ifAvailable: true }, (lock) => {
					done();
					if (lock === null || controller.signal.aborted) {
						resolve(null);
						return Promise.resolve();
					}
					granted = true;
					return new Promise<void>((release) => resolve(() => release()));
				})
				.catch((error: unknown) => {
					done();
					if (granted) return;
					// No locks in this context (an opaque origin throws SecurityError): nothing to share the token with.
					resolve((error as { name?: unknown } | null)?.name === "SecurityError" ? () => {} : null);
				});
		});
}
