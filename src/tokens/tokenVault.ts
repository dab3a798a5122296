import { TokenStoreError } from "../errors.js";
import { isTokenSet } from "./tokenStores.js";
import type { TokenSet, TokenStore } from "./types.js";

export type TokenVault = {
	/** The stored tokens, read after any write or clear already asked for; what is not a token set reads as null. */
	get(): Promise<TokenSet | null>;
	/** Writes `tokens` unless the session has moved past `generation` (before or during the write); resolves whether it counts. */
	write(tokens: TokenSet, generation: number): Promise<boolean>;
	clear(): Promise<void>;
};

/**
 * The app's token store, with writes and clears run one after another: a logout's clear always lands after a write
 * already under way, and a request made after logout() never reads the old tokens.
 */
export function tokenVault(store: TokenStore, generation: () => number): TokenVault {
	let queue: Promise<unknown> = Promise.resolve();

	function enqueue<T>(operation: () => Promise<T>): Promise<T> {
		const result = queue.then(operation, operation);
		queue = result.catch(() => undefined);
		return result;
	}

	return {
		async get() {
			await queue;
			let value: unknown;
			try {
				value = await store.get();
			} catch (error) {
				throw new TokenStoreError({ cause: error });
			}
			return isTokenSet(value) ? value : null;
		},
		write: (tokens, at) =>
			enqueue(async () => {
				if (generation() !== at) return false;
				await store.set(tokens);
				return generation() === at;
			}),
		clear: () => enqueue(async () => store.clear()),
	};
}
