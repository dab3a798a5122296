import { isServer, type Query, type QueryClient } from "@tanstack/query-core";
import { isSessionError } from "../session/sessionErrors.js";
import type { SessionSnapshot, SessionStore } from "../session/sessionState.js";

export { isSessionError };

export type BindQueryClientOptions = {
	/**
	 * Which queries hold the signed-in user's data: they are removed on an identity change or a sign-out. Queries it
	 * leaves out (public data, feature flags) stay in the cache.
	 * @default every query
	 */
	userScoped?: (query: Query) => boolean;
};

type Retry = boolean | number | ((failureCount: number, error: unknown) => boolean) | undefined;

/** The app's retry, as query-core reads it (retryer.ts), except that a session error is never retried. */
function sessionAware(retry: Retry, fallback: number): (failureCount: number, error: unknown) => boolean {
	return (failureCount, error) => {
		if (isSessionError(error)) return false;
		if (typeof retry === "function") return retry(failureCount, error);
		const limit = retry ?? fallback;
		return limit === true || (typeof limit === "number" && failureCount < limit);
	};
}

function check(name: string, ok: boolean, takes: string, got: unknown): void {
	if (!ok) throw new TypeError(`bindQueryClient: ${name} must be ${takes}; got ${got === null ? "null" : typeof got}`);
}

type Defaulter = (options: { _defaulted?: boolean; retry?: Retry }) => { retry?: Retry };

/**
 * Binds a TanStack Query client (React, Vue, Solid or Svelte Query: any query-core ≥ 5) to a tokenflight client:
 * session errors are never retried, whatever `retry` says; an identity change or a sign-out removes the user's
 * queries before the next user's data can render; a sign-in or a finished re-authentication invalidates the active
 * queries once. Returns the unbind.
 */
export function bindQueryClient(queryClient: QueryClient, client: { session: SessionStore }, options: BindQueryClientOptions = {}): () => void {
	check("queryClient", typeof queryClient?.getQueryCache === "function", "a QueryClient", queryClient);
	check("client", typeof client?.session?.subscribe === "function", "a tokenflight client", client);
	check("options.userScoped", options.userScoped === undefined || typeof options.userScoped === "function", "a function of a query", options.userScoped);
	const target = queryClient as unknown as Record<"defaultQueryOptions" | "defaultMutationOptions", Defaulter>;
	// Every query's and mutation's options pass through these (useQuery, fetchQuery, observers), whichever level set `retry`.
	let bound = true;
	const restore = (["defaultQueryOptions", "defaultMutationOptions"] as const).map((method) => {
		const own = Object.hasOwn(target, method);
		const original = target[method];
		// query-core's own defaults when nothing sets `retry`: 3 for queries in a browser, 0 on a server and for mutations.
		const fallback = method === "defaultQueryOptions" && !isServer ? 3 : 0;
		const wrapper: Defaulter = (input) => {
			if (input?._defaulted) return input;
			const resolved = original.call(queryClient, input);
			return bound ? { ...resolved, retry: sessionAware(resolved.retry, fallback) } : resolved;
		};
		target[method] = wrapper;
		return () => {
			// Another binding wrapped this one since: it calls this wrapper, which from now on passes options through.
			if (target[method] !== wrapper) return;
			if (own) target[method] = original;
			else delete (target as Partial<typeof target>)[method];
		};
	});

	let previous: SessionSnapshot = client.session.getSnapshot();
	let lastIdentity = previous.identity;
	let signedOut = previous.status === "signedOut";
	const unsubscribe = client.session.subscribe((next) => {
		const before = previous;
		previous = next;
		const entered = (status: SessionSnapshot["status"]) => next.status === status && before.status !== status;
		const otherUser = next.identity !== undefined && lastIdentity !== undefined && next.identity !== lastIdentity;
		if (next.identity !== undefined) lastIdentity = next.identity;
		if (otherUser || entered("signedOut") || (entered("reauthenticating") && next.reason === "identity-changed")) {
			// Whoever signs in next is pinned afresh: their first response must not count as another change.
			if (!otherUser) lastIdentity = undefined;
			removeUserData();
		}
		if (next.status === "signedOut") signedOut = true;
		if (entered("authenticated") && (signedOut || before.status === "reauthenticating")) {
			signedOut = false;
			// A fetch already under way (stalled during the re-authentication, replayed after it) is the refetch.
			void queryClient.invalidateQueries(undefined, { cancelRefetch: false });
		}
	});

	function removeUserData(): void {
		const cache = queryClient.getQueryCache();
		for (const query of cache.findAll(options.userScoped ? { predicate: options.userScoped } : {})) {
			// reset() first: it cancels the fetch silently and tells the observers still mounted that the data is gone,
			// so none keeps rendering it; they build a fresh query on their next render, since this one leaves the cache.
			query.reset();
			cache.remove(query);
		}
	}

	return () => {
		bound = false;
		unsubscribe();
		for (const undo of restore) undo();
	};
}
