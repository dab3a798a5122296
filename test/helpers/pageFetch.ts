/**
 * A stand-in for a browser page's cookie jar, for ky's `fetch` option: msw keeps no cookies in Node and
 * ignores `credentials`, so this stores Set-Cookie answers and sends them back unless the request says
 * `credentials: "omit"`, as a browser does for same-origin requests.
 */
export function pageCookieJar() {
	const jar = new Map<string, string>();

	const fetchWithCookies: typeof fetch = async (input, init) => {
		const request = new Request(input, init);
		// A plain object: under msw the global Headers is a polyfill that does not copy a native Headers' entries.
		const headers: Record<string, string> = Object.fromEntries(request.headers.entries());
		if (request.credentials !== "omit" && jar.size > 0) {
			headers.cookie = Array.from(jar, ([name, value]) => `${name}=${value}`).join("; ");
		}
		const body = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
		const response = await fetch(request.url, { method: request.method, headers, body, signal: request.signal, redirect: request.redirect });
		if (request.credentials !== "omit") for (const cookie of response.headers.getSetCookie()) store(cookie);
		return response;
	};

	function store(setCookie: string) {
		const [pair = "", ...attributes] = setCookie.split(";");
		const separator = pair.indexOf("=");
		const name = pair.slice(0, separator).trim();
		if (attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute))) jar.delete(name);
		else jar.set(name, pair.slice(separator + 1).trim());
	}

	return { fetch: fetchWithCookies, jar, read: (name: string) => jar.get(name) };
}
