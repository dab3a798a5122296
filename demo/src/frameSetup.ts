/**
 * Runs before anything else of the demo (main.ts imports it first, so before msw reads a cookie or a stored value).
 *
 * In a frame of the side-by-side page (`?frame=naive|tokenflight`) each client has an origin of its own (a port of
 * its own, see demo/serve.mjs), so its storage, Service Worker, mock backend and tokenflight's reload budget are its
 * own. Cookies are the exception: browsers share them between the ports of a host. So a frame keeps its cookies
 * under a prefix of its name: `document.cookie` (which msw, js-cookie and the demo all go through) reads and writes
 * `naive.csrfToken` where the page asks for `csrfToken`, and never sees the other frame's.
 *
 * `?reset=1`: the side-by-side page starts each run from a fresh sandbox: everything this origin stored is
 * forgotten, and the page boots as on a first visit (signed in at the portal as Alice).
 */
const params = new URLSearchParams(location.search);
const frame = params.get("frame");

/**
 * Which frame this page is, if any. main.ts reads it, so that bundlers keep this module and its effects (the
 * package says `"sideEffects": false`, which would drop a bare `import "./frameSetup.js"`).
 */
export const frameName: string | null = frame === "naive" || frame === "tokenflight" ? frame : null;

if (frame === "naive" || frame === "tokenflight") {
	document.documentElement.dataset.frame = frame;
	prefixCookies(`${frame}.`);
	if (params.get("reset") === "1") {
		for (const name of cookieNames()) document.cookie = `${name}=; Max-Age=0; Path=/`;
		localStorage.clear();
		sessionStorage.clear();
		// Later reloads of this frame are reloads, not resets.
		params.delete("reset");
		history.replaceState(history.state, "", `${location.pathname}?${params.toString()}`);
	}
}

function prefixCookies(prefix: string): void {
	const native = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
	if (!native?.get || !native.set) return;
	const { get, set } = native;
	Object.defineProperty(document, "cookie", {
		configurable: true,
		get(): string {
			return String(get.call(document))
				.split(/;\s*/)
				.filter((cookie) => cookie.startsWith(prefix))
				.map((cookie) => cookie.slice(prefix.length))
				.join("; ");
		},
		set(value: string): void {
			set.call(document, `${prefix}${String(value).trimStart()}`);
		},
	});
}

function cookieNames(): string[] {
	return document.cookie
		.split(/;\s*/)
		.map((cookie) => cookie.split("=")[0] ?? "")
		.filter((name) => name !== "");
}
