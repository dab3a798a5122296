/**
 * The parsed body of a JSON answer, read from a copy so the caller still reads its own; undefined for any other
 * content type (a download, an event stream: reading those would wait for their end) or a body that does not parse.
 */
export async function peekJson(response: Response): Promise<unknown> {
	if (response.bodyUsed || !/^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(response.headers.get("content-type") ?? "")) return undefined;
	try {
		const text = await response.clone().text();
		return text.trim() === "" ? undefined : (JSON.parse(text) as unknown);
	} catch {
		return undefined;
	}
}
