import type { RequestOptions } from "../core/requestOptions.js";
import { toKyOptions } from "../core/requestOptions.js";
import { mapTransportError } from "../core/responses.js";
import { createTransport, type SendPlan, type SendRecord } from "../core/transport.js";
import type { TokenSet } from "../tokens/types.js";
import type { ClientCore } from "./context.js";

/**
 * What one send may carry, hop by hop: the credentials go to trusted URLs only, and only while the session they
 * belong to (`generation`) is current and nothing stalls.
 */
export function hopPlan(core: ClientCore, init: RequestOptions, method: string, tokens: TokenSet | undefined, session: boolean, generation: number): SendPlan {
	const { credentials } = core;
	const headers = session ? credentials.headers(tokens, method) : [];
	core.secrets.remember(tokens, headers);
	const sign = session ? credentials.sign : undefined;
	return {
		// Checked as the request leaves (and as ky retries it): credentials of a session that ended meanwhile never
		// go out, and nothing goes out while the session is being re-established.
		isCurrent: () => !session || (core.session.state.generation === generation && core.session.state.stalledSince === null),
		isTrusted: core.isTrusted,
		headers,
		sign: sign && ((method: string, target: URL) => sign(tokens, method, target)),
		credentials: session ? credentials.mode(init.credentials) : (init.credentials ?? "omit"),
		foreignCredentials: "omit",
		// fetch strips Authorization on a cross-origin redirect, but keeps every other header.
		manualRedirects: headers.some(([name]) => name.toLowerCase() !== "authorization"),
	};
}

/** Sends once through ky (its retries, timeout and hooks) with the transport that enforces `plan` per hop. */
export async function send(core: ClientCore, url: URL, init: RequestOptions, plan: SendPlan, record: SendRecord, raw: boolean): Promise<Response> {
	try {
		return await core.api(url, {
			...toKyOptions(init),
			method: (init.method ?? "GET").toUpperCase(),
			fetch: createTransport(init.fetch ?? core.baseFetch, plan, record),
			// `client.fetch` answers every status as fetch does; the rest throw for anything but a 401 the loop handles.
			throwHttpErrors: raw ? false : (code) => code !== 401,
		});
	} catch (error) {
		throw core.secrets.redact(mapTransportError(error));
	}
}
