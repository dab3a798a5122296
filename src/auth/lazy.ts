import type { Credentials } from "./types.js";

/**
 * Credentials whose code arrives later (a dynamic import), so an app that never uses them never loads it. The import
 * starts at once; every asynchronous method waits for it, and the synchronous ones are only called after `prepare`
 * has resolved. A failed load (a chunk lost to a network blip) is tried again on the next call.
 */
export function lazyCredentials(load: () => Promise<Credentials>): Credentials {
	let loaded: Credentials | undefined;
	let pending: Promise<Credentials> | undefined;
	let disposed = false;
	const get = (): Promise<Credentials> =>
		loaded
			? Promise.resolve(loaded)
			: (pending ??= load().then(
					(credentials) => {
						loaded = credentials;
						if (disposed) credentials.dispose();
						return credentials;
					},
					(error: unknown) => {
						pending = undefined;
						throw error;
					},
				));
	void get().catch(() => undefined);
	const ready = (): Credentials => {
		if (!loaded) throw new Error("tokenflight: credentials used before they loaded");
		return loaded;
	};
	return {
		prepare: async (signal) => (await get()).prepare(signal),
		headers: (tokens, method) => (tokens === undefined && !loaded ? [] : ready().headers(tokens, method)),
		mode: (requested) => (loaded ? loaded.mode(requested) : (requested ?? "omit")),
		credentialOf: (tokens) => loaded?.credentialOf(tokens) ?? tokens?.accessToken,
		recover: async (sent, state, signal) => (await get()).recover(sent, state, signal),
		observe: (response, url) => loaded?.observe(response, url),
		get sign() {
			return loaded?.sign;
		},
		get retriesNonce() {
			return loaded?.retriesNonce ?? false;
		},
		store: async (tokens, generation) => (await get()).store(tokens, generation),
		clear: async () => (await get()).clear(),
		refreshIfExpiring: async () => (await get()).refreshIfExpiring(),
		rotatedElsewhere: (fingerprint) => void get().then((credentials) => credentials.rotatedElsewhere(fingerprint), () => undefined),
		dispose() {
			disposed = true;
			loaded?.dispose();
		},
	};
}
