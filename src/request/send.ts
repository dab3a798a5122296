import type { RequestOptions } from "../core/requestOptions.js";
import { toKyOptions } from "../core/requestOptions.js";
import { mapTransportError } from "../core/responses.js";
import { createTransport, type SendPlan, type SendRecord } from "../core/transport.js";
import type { TokenSet } from "../tokens/types.js";
import type { ClientCore } from "./context.js";

/**
 * What one send may carry, hop by hop: the credentials go to trusted URLs only, and only while the session they
 * belong to (`generation`) is current and nothing stalls. `"neutral"`: the session's credentials, but a stall does not
 * hold them back (the answer means nothing for the session, so the request never waits for it).
 */
export function hopPlan(core: ClientCore, init: RequestOptions, method: string, tokens: TokenSet | undefined, session: boolean | "neutral", generation: number): SendPlan {
	const { credentials } = core;
	const headersFor = (hopMethod: string) => (session ? credentials.headers(tokens, hopMethod.toUpperCase()) : []);
	const headers = headersFor(method);
	core.secrets.remember(tokens, headers);
	const sign = session ? credentials.sign : undefined;
	// ky's options are ky.create's: a client-level `credentials` holds for every request that sets none.
	const requested = init.credentials ?? core.options.ky?.credentials;
	return {
		// Checked as the request leaves (and as ky retries it): credentials of a session that ended meanwhile never
		// go out, and nothing goes out while the session is being re-established.
		isCurrent: () => !session || (core.session.state.generation === generation && (session === "neutral" || core.session.state.stalledSince === null)),
		isTrusted: core.isTrusted,
		// Each hop's own: a 303 turns a POST into a GET, which carries no CSRF value.
		headers: (hopMethod) => (hopMethod.toUpperCase() === method ? headers : headersFor(hopMethod)),
		// The signed proof is remembered like the headers: a server that echoes it must not put it into an error.
		sign: sign && (async (method: string, target: URL) => remembered(core, await sign(tokens, method, target))),
		credentials: session ? credentials.mode(requested) : (requested ?? "omit"),
		foreignCredentials: "omit",
		replayable: !isStream(init.body),
	};
}

function remembered(core: ClientCore, headers: [string, string][]): [string, string][] {
	core.secrets.remember(undefined, headers);
	return headers;
}

/** A body that can be read only once. */
export function isStream(body: unknown): boolean {
	return typeof ReadableStream !== "undefined" && body instanceof ReadableStream;
}

/** Sends once through ky (its retries, timeout and hooks) with the transport that enforces `plan` per hop. */
export async function send(core: ClientCore, url: URL, init: RequestOptions, plan: SendPlan, record: SendRecord, raw: boolean): Promise<Response> {
	try {
		return await core.api(url, {
			...toKyOptions(init),
			method: (init.method ?? "GET").toUpperCase(),
			fetch: createTransport(init.fetch ?? core.baseFetch, plan, record, !raw),
			// `client.fetch` answers every status as fetch does; the rest throw for anything but a 401 the loop handles, and
			// the redirect a caller asked to see with `redirect: "manual"` (an opaque redirect has status 0).
			throwHttpErrors: raw ? false : (code) => code !== 401 && !(init.redirect === "manual" && (code === 0 || (code >= 300 && code < 400))),
		});
	} catch (error) {
		throw core.secrets.redact(mapTransportError(error));
	}
}
