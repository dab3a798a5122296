import { sleep } from "../core/sleep.js";
import type { TokenSet } from "../tokens/types.js";

export type RotationMemory = {
	/** Whether `refreshToken` was rotated away (here, or announced by another tab and found still in the store). */
	spent(refreshToken: string): boolean;
	spend(refreshToken: string): void;
	/** Reads the store, waiting (bounded) while it still holds a refresh token another tab announced as rotated. */
	readSettled(): Promise<TokenSet | null>;
};

/**
 * Refresh tokens that must never be presented again. Kept in memory only, never logged. localStorage reaches other
 * tabs a moment after a write, so the next lock holder can read tokens that are already spent.
 */
export function rotationMemory(
	read: () => Promise<TokenSet | null | undefined>,
	rotatedElsewhere: ((refreshToken: string) => boolean) | undefined,
	signal: AbortSignal,
): RotationMemory {
	const consumed = new Set<string>();
	const announced = (tokens: TokenSet | null) => tokens?.refreshToken !== undefined && rotatedElsewhere?.(tokens.refreshToken) === true;
	return {
		spent: (refreshToken) => consumed.has(refreshToken),
		spend: (refreshToken) => void consumed.add(refreshToken),
		async readSettled() {
			let stored = (await read()) ?? null;
			for (let waited = 0; announced(stored) && waited < 2_000; waited += 20) {
				await sleep(20, signal);
				stored = (await read()) ?? null;
			}
			if (announced(stored)) consumed.add(stored!.refreshToken!);
			return stored;
		},
	};
}
