/**
 * Reads an `Accept` header (RFC 9110 §12.5.1) for the one question the dead-session classifier asks: did the caller
 * ask for JSON and leave HTML out? Only then is an HTML answer not what it asked for. A media range with `q=0` is
 * refused, so `application/json, text/html;q=0` leaves HTML out; `text/*` and `*\/*` let it in.
 */
export function leavesHtmlOut(accept: string): boolean {
	let json = false;
	for (const range of accept.split(",")) {
		const [type = "", ...params] = range.split(";").map((part) => part.trim().toLowerCase());
		if (type === "" || params.some((param) => /^q\s*=\s*0(?:\.0*)?$/.test(param))) continue;
		if (type === "text/html" || type === "application/xhtml+xml" || type === "text/*" || type === "*/*") return false;
		if (/^application\/(?:[\w.-]+\+)?json$/.test(type)) json = true;
	}
	return json;
}
