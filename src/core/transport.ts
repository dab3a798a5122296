import { BodyNotReplayableError, RedirectError } from "../errors.js";
import { discard } from "./discard.js";
import { capErrorBody } from "./readCapped.js";

/** What one request may carry, decided per URL at the moment it is sent (after every ky hook has run). */
export type SendPlan = {
	isTrusted(url: URL): boolean;
	/** False once the session the credentials belong to has ended; they are then not sent. */
	isCurrent(): boolean;
	/** Headers that go to trusted URLs only, for a hop's method (a CSRF value goes with unsafe methods only). */
	headers(method: string): readonly [string, string][];
	/** More headers for trusted URLs, computed for the exact method and URL of each hop (a DPoP proof). */
	sign?: ((method: string, url: URL) => Promise<[string, string][]>) | undefined;
	/** `credentials` for trusted URLs. */
	credentials: RequestCredentials;
	/** `credentials` for any other URL. */
	foreignCredentials: RequestCredentials;
	/** False for a body that can be read only once (a stream): a 307/308 cannot send it again. */
	replayable: boolean;
};

/** One redirect on the way: the URL and method that got it, its status, and where it pointed. */
export type RedirectHop = { url: string; method: string; status: number; location: string };

/**
 * Filled in by the transport: where the request finally went, whether it carried the plan's credentials there, the
 * redirects it took (those followed by hand; fetch does not tell its own), and whether the body left at all.
 */
export type SendRecord = { url: string | undefined; trusted: boolean; redirected?: boolean; redirects?: RedirectHop[]; sent?: boolean };

const maxRedirects = 20;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// Fetch drops these when a redirect turns a request into a bodiless GET (WHATWG Fetch §4.4 step 12).
const bodyHeaders = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

/** A request whose credentials belonged to a session that ended before it left: the loop sends it again. */
export class SupersededError extends Error {
	override name = "SupersededError";
}

/**
 * The `fetch` ky calls. It sees the request exactly as it will be sent, so a `beforeRequest` hook that points it
 * elsewhere cannot take credentials along, and neither can a redirect: a request carrying anything but a bearer
 * `Authorization` (which fetch strips across origins itself), or cookies fetch would send on to any origin
 * (`credentials: "include"`), is followed by hand, each hop dressed for its own method and origin.
 */
export function createTransport(base: typeof fetch, plan: SendPlan, record: SendRecord, capErrors = false): typeof fetch {
	const send = sendOnce(base, plan, record);
	// Only for answers that are thrown on: `client.fetch` hands an error's whole body to its caller.
	return capErrors ? async (input, init) => capErrorBody(await send(input, init)) : send;
}

function sendOnce(base: typeof fetch, plan: SendPlan, record: SendRecord): typeof fetch {
	return async (input, init) => {
		const request = input instanceof Request ? input : new Request(input, init);
		const extra = input instanceof Request ? init : undefined;
		const url = new URL(request.url);
		const trusted = plan.isTrusted(url);
		// Cookies are scoped to a host, not to a port (nor to a scheme without Secure), and Domain cookies match sibling
		// hosts: fetch following a redirect with "include" takes them wherever the redirect points. On the page's own
		// origin "same-origin" sends them just the same and lets the browser drop them on leaving; elsewhere, by hand.
		const sameOrigin = trusted && plan.credentials === "include" && url.origin === pageOrigin();
		const byHand =
			trusted && ((plan.credentials === "include" && !sameOrigin) || plan.sign !== undefined || plan.headers(request.method).some(([name]) => name.toLowerCase() !== "authorization"));
		if (!byHand) {
			const dressed = await dress(request, sameOrigin ? { ...plan, credentials: "same-origin" } : plan, record, false);
			// Checked again in the very task fetch is called in: dressing awaited, and the session may have ended meanwhile.
			leaving(plan, record, request.method);
			record.sent = true;
			const response = await base(dressed, extra);
			// A native redirect strips Authorization across origins; where it ended decides whether the session hears of it.
			if (response.url) record.trusted = record.trusted && plan.isTrusted(new URL(response.url));
			record.url = response.url || record.url;
			return response;
		}
		return follow(base, request, extra, plan, record);
	};
}

/** The origin of the page this runs in; none in Node, whose fetch keeps no cookies of its own. */
function pageOrigin(): string | undefined {
	const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
	return typeof origin === "string" && origin !== "null" ? origin : undefined;
}

/** A request about to carry the session's credentials for a session that has ended since is sent again, afresh. */
function leaving(plan: SendPlan, record: SendRecord, method: string): void {
	if (record.trusted && (plan.headers(method).length > 0 || plan.sign !== undefined) && !plan.isCurrent()) throw new SupersededError();
}

async function dress(request: Request, plan: SendPlan, record: SendRecord, byHand: boolean): Promise<Request> {
	const url = new URL(request.url);
	const trusted = plan.isTrusted(url);
	record.url = url.href;
	record.trusted = trusted;
	const headers = new Headers(request.headers);
	leaving(plan, record, request.method);
	if (trusted) for (const [name, value] of [...plan.headers(request.method), ...((await plan.sign?.(request.method, url)) ?? [])]) headers.set(name, value);
	const init: RequestInit = { headers, credentials: trusted ? plan.credentials : plan.foreignCredentials };
	if (byHand) init.redirect = "manual";
	return new Request(request, init);
}

async function follow(base: typeof fetch, first: Request, extra: RequestInit | undefined, plan: SendPlan, record: SendRecord): Promise<Response> {
	// 307 and 308 send the body again: keep a copy of one that can be read twice (a stream is sent as it is, once).
	const body = first.body && plan.replayable ? await first.clone().arrayBuffer() : null;
	// The caller's headers, as fetch keeps them from hop to hop: it drops Authorization once, for good, on leaving an origin.
	const headers = new Headers(first.headers);
	const planned = new Set(["dpop", ...plan.headers("POST").map(([name]) => name.toLowerCase())]);
	let request = await dress(first, plan, record, true);
	let { method } = first;
	let current = new URL(first.url);
	// Once a hop has left the trusted origins, no later hop is trusted: a foreign origin must not pick where our
	// credentials go next.
	let left = !record.trusted;
	const untrusted: SendPlan = { ...plan, isTrusted: () => false };
	record.redirects = [];
	for (let hop = 0; ; hop++) {
		leaving(plan, record, method);
		record.sent = true;
		const response = await base(request, extra);
		const isRedirect = response.type === "opaqueredirect" || (redirectStatuses.has(response.status) && response.headers.has("location"));
		// The caller asked for the redirect itself (fetch's redirect: "manual"): it gets it, as fetch would give it.
		if (first.redirect === "manual" && (isRedirect || (response.status >= 300 && response.status < 400))) return response;
		// A browser hides the target: following blind could take the credentials to another origin.
		if (response.type === "opaqueredirect") throw new RedirectError({ request: first, response });
		if (!isRedirect) return hop === 0 ? response : arrived(response, current);
		if (first.redirect === "error") throw new TypeError("fetch failed: the response was a redirect and redirect was set to \"error\"");
		if (hop >= maxRedirects) throw new TypeError("fetch failed: too many redirects");
		discard(response);
		const target = redirectTarget(response, current);
		record.redirects.push({ url: current.href, method, status: response.status, location: target.href });
		record.redirected = true;
		// Fetch's rules (WHATWG Fetch §4.4): 303, and 301/302 after POST, become a GET without a body.
		const toGet = response.status === 303 ? method !== "GET" && method !== "HEAD" : (response.status === 301 || response.status === 302) && method === "POST";
		if (toGet) {
			method = "GET";
			for (const name of bodyHeaders) headers.delete(name);
		} else if (first.body && body === null) {
			throw new BodyNotReplayableError(`The server redirected with ${response.status}, which sends the body again`, { request: first });
		}
		if (target.origin !== current.origin) headers.delete("authorization");
		left ||= !plan.isTrusted(target);
		const next = new Headers(headers);
		// Headers of the plan's kind the caller set itself are the plan's to give: never to a foreign hop.
		if (left) for (const name of planned) next.delete(name);
		const hasBody = method !== "GET" && method !== "HEAD" && body !== null;
		request = await dress(new Request(target, { method, headers: next, signal: first.signal, redirect: "manual", ...(hasBody ? { body } : {}) }), left ? untrusted : plan, record, true);
		current = target;
	}
}

/** Where a redirect points; anything but http(s) is a network error, as in fetch. */
function redirectTarget(response: Response, current: URL): URL {
	let target: URL;
	try {
		target = new URL(response.headers.get("location") ?? "", current);
	} catch {
		throw new TypeError("fetch failed: the redirect's Location is not a URL");
	}
	if (target.protocol !== "http:" && target.protocol !== "https:") throw new TypeError(`fetch failed: a redirect to a ${target.protocol} URL`);
	return target;
}

/** A response reached through redirects followed by hand says so, as fetch's own would: its final `url`, `redirected`. */
function arrived(response: Response, url: URL): Response {
	const where = { url: { value: url.href }, redirected: { value: true } };
	try {
		return Object.defineProperties(response, where);
	} catch {
		// A fetch that already fixed these on its response (a mock): the same answer, in a response of our own.
		return Object.defineProperties(new Response(response.body, response), where);
	}
}
