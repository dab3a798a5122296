/**
 * What the tests (and the demo) read, in one log, in order: every response the client received (with the user it was
 * for), every response's data the app was handed (`delivered`), and every frame the app rendered (the users whose data
 * it shows, its error states). A frame is recorded after each batch of DOM changes, and also whenever data is
 * delivered: what the screen shows at that moment, changed or not.
 */
export type Entry =
	| { type: "response"; at: number; path: string; user: string | null; status: number }
	| { type: "data"; at: number; path: string; owner: string | undefined }
	| { type: "frame"; at: number; owners: string[]; errors: string[]; view: string };

export const log: Entry[] = [];
let root: HTMLElement | undefined;

function frame(): void {
	if (!root) return;
	const owners = [...new Set([...root.querySelectorAll<HTMLElement>("[data-owner]")].map((element) => element.dataset.owner ?? ""))].sort();
	const errors = [...root.querySelectorAll<HTMLElement>("[data-error]")].map((element) => element.textContent ?? "");
	const view = root.querySelector<HTMLElement>("[data-view]")?.dataset.view ?? "";
	log.push({ type: "frame", at: performance.now(), owners, errors, view });
}

export function recordFrames(element: HTMLElement): void {
	root = element;
	// A mutation observer's callback runs after each batch of DOM changes, before the browser paints it.
	new MutationObserver(frame).observe(element, { subtree: true, childList: true, characterData: true, attributes: true });
}

/** The client's `fetch` (through `ky.fetch`): logs each response as it arrives, before tokenflight looks at it. */
export const recordingFetch: typeof fetch = async (input, init) => {
	const response = await fetch(input, init);
	const url = new URL(input instanceof Request ? input.url : String(input));
	log.push({ type: "response", at: performance.now(), path: url.pathname + url.search, user: response.headers.get("x-user-id"), status: response.status });
	return response;
};

/** The app was handed `data` for `path` (tokenflight let the response through): logs it with whose it is, and the screen now. */
export function delivered(path: string, data: unknown): void {
	const text = JSON.stringify(data ?? null);
	log.push({ type: "data", at: performance.now(), path, owner: (/"owner":"(\w+)"/.exec(text) ?? /"id":"(alice|bob)"/.exec(text))?.[1] });
	frame();
}
