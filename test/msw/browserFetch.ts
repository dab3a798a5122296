/**
 * msw's cookie store is disabled in Node and Node's fetch keeps no cookies, so this stands in for a browser
 * page on the mock's origin: it stores Set-Cookie answers and sends them back unless `credentials: "omit"`.
 */
export function createBrowserFetch() {
	const jar = new Map<string, string>();

	async function browserFetch(url: string, init: RequestInit = {}): Promise<Response> {
		const sendsCookies = (init.credentials ?? "same-origin") !== "omit";
		const headers = new Headers(init.headers);
		if (sendsCookies && jar.size > 0) headers.set("cookie", Array.from(jar, ([name, value]) => `${name}=${value}`).join("; "));
		const response = await fetch(url, { ...init, headers });
		if (sendsCookies) for (const cookie of response.headers.getSetCookie()) store(cookie);
		return response;
	}

	function store(setCookie: string) {
		const [pair = "", ...attributes] = setCookie.split(";");
		const separator = pair.indexOf("=");
		const name = pair.slice(0, separator).trim();
		if (attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute))) jar.delete(name);
		else jar.set(name, pair.slice(separator + 1).trim());
	}

	return { fetch: browserFetch, jar };
}
