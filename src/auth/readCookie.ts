/**
 * Reads a cookie of `document.cookie` as js-cookie's `Cookies.get` does (the first cookie of that name; surrounding
 * quotes dropped; percent-escapes decoded), without loading js-cookie: an app in cookie mode reads one CSRF value.
 */
export function readCookie(name: string): string | undefined {
	const jar = (globalThis as { document?: { cookie?: string } }).document?.cookie;
	if (!jar) return undefined;
	for (const pair of jar.split("; ")) {
		const at = pair.indexOf("=");
		try {
			if (decodeURIComponent(at < 0 ? pair : pair.slice(0, at)) !== name) continue;
			const value = at < 0 ? "" : pair.slice(at + 1);
			return (value[0] === '"' ? value.slice(1, -1) : value).replace(/(%[\dA-F]{2})+/gi, decodeURIComponent);
		} catch {
			// A name or value that is not valid percent-encoding is skipped, as js-cookie skips it.
		}
	}
	return undefined;
}
