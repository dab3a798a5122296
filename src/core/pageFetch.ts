// `globalThis.fetch = client.fetch` is the zero-line adoption for an app that calls the global fetch (Outline's
// ApiClient). A client that then sent through the global fetch would call itself until the page froze, so each
// client's fetch is marked with the fetch it sends through, and the global one is looked through those marks.
const sendsThrough = new WeakMap<object, typeof fetch>();

/** The fetch to send through: the global one, or, where that is a tokenflight client's, the page's fetch under it. */
export function pageFetch(): typeof fetch {
	let current: typeof fetch = globalThis.fetch;
	const seen = new Set<object>();
	for (let next = sendsThrough.get(current); next !== undefined && !seen.has(current); next = sendsThrough.get(current)) {
		seen.add(current);
		current = next;
	}
	return current;
}

/** Marks `clientFetch` as sending through `underneath` (the page's fetch when the client was created). */
export function markClientFetch(clientFetch: typeof fetch, underneath: typeof fetch | undefined): void {
	if (underneath) sendsThrough.set(clientFetch, underneath);
}
