/** Resolves a request path against the client's base URL, treating a leading slash as relative to it (`/documents.list` → `…/api/documents.list`). */
export function resolveUrl(input: string | URL, baseUrl: URL): URL {
	if (input instanceof URL) return new URL(input.href);
	if (/^[a-z][a-z\d+\-.]*:/i.test(input)) return new URL(input);
	// A path never leaves the base URL: URL parsing reads "\\\\host", " //host" or "/\\host" as another host.
	if (/^\s|[\\\x00-\x1f\x7f]/.test(input.split(/[?#]/)[0] ?? "")) {
		throw new TypeError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? "tokenflight: a request path may not start with whitespace or contain backslashes or control characters" : "tokenflight: invalid path"));
	}
	const base = baseUrl.href.endsWith("/") ? baseUrl.href : `${baseUrl.href}/`;
	const url = new URL(input.replace(/^\/+/, ""), base);
	if (url.origin !== baseUrl.origin || !url.href.startsWith(base.replace(/[?#].*$/, ""))) {
		throw new TypeError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? "tokenflight: a request path must stay under baseUrl; pass a full URL to leave it" : "tokenflight: path outside baseUrl"));
	}
	return url;
}

/** A `trustedOrigins` entry: an origin, never widened from a URL with a path (a bucket or tenant on a shared host). */
export function toOrigin(value: string | URL): string {
	const url = new URL(value);
	if (url.origin === "null") throw new TypeError(`Cannot trust an opaque origin: ${String(value)}`);
	if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
		// Quoted without user info, which may be a credential.
		throw new TypeError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? `tokenflight: trustedOrigins takes origins; ${url.origin} would trust every path of it, not only ${url.origin}${url.pathname}` : `tokenflight: trustedOrigins ${url.href}`));
	}
	return url.origin;
}

export function resolveBaseUrl(baseUrl: string | URL): URL {
	const location = (globalThis as { location?: { href?: string } }).location?.href;
	try {
		return location ? new URL(baseUrl, location) : new URL(baseUrl);
	} catch (error) {
		throw new TypeError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? `tokenflight: baseUrl must be an absolute URL outside a browser page, got ${String(baseUrl)}` : `tokenflight: baseUrl ${String(baseUrl)}`), { cause: error });
	}
}
