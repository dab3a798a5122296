import { RedirectError } from "../errors.js";
import { discard } from "./discard.js";

/** What one request may carry, decided per URL at the moment it is sent (after every ky hook has run). */
export type SendPlan = {
	isTrusted(url: URL): boolean;
	/** False once the session the credentials belong to has ended; they are then not sent. */
	isCurrent(): boolean;
	/** Headers that go to trusted URLs only. */
	headers: readonly [string, string][];
	/** More headers for trusted URLs, computed for the exact method and URL of each hop (a DPoP proof). */
	sign?: ((method: string, url: URL) => Promise<[string, string][]>) | undefined;
	/** `credentials` for trusted URLs. */
	credentials: RequestCredentials;
	/** `credentials` for any other URL. */
	foreignCredentials: RequestCredentials;
	/**
	 * Follow redirects by hand, so the plan's headers are dropped before a hop leaves the trusted origins. Needed for
	 * headers fetch keeps across origins (anything but Authorization, which fetch strips itself).
	 */
	manualRedirects: boolean;
};

/**
 * Filled in by the transport: where the request finally went, whether it carried the plan's credentials there, and
 * whether it got there through a redirect (a response built from a hand-followed hop says `redirected: false`).
 */
export type SendRecord = { url: string | undefined; trusted: boolean; redirected?: boolean };

const maxRedirects = 20;

/** A request whose credentials belonged to a session that ended before it left: the loop sends it again. */
export class SupersededError extends Error {
	override name = "SupersededError";
}

/**
 * The `fetch` ky calls. It sees the request exactly as it will be sent, so a `beforeRequest` hook that points it
 * elsewhere cannot take credentials along, and neither can a redirect.
 */
export function createTransport(base: typeof fetch, plan: SendPlan, record: SendRecord): typeof fetch {
	return async (input, init) => {
		const request = input instanceof Request ? input : new Request(input, init);
		const extra = input instanceof Request ? init : undefined;
		if (!plan.manualRedirects || !plan.headers.length || !plan.isTrusted(new URL(request.url))) {
			const dressed = await dress(request, plan, record);
			// Checked again in the very task fetch is called in: dressing awaited, and the session may have ended meanwhile.
			leaving(plan, record);
			const response = await base(dressed, extra);
			// A native redirect strips Authorization across origins; where it ended decides whether the session hears of it.
			if (response.url) record.trusted = record.trusted && plan.isTrusted(new URL(response.url));
			record.url = response.url || record.url;
			return response;
		}
		return follow(base, request, extra, plan, record);
	};
}

function leaving(plan: SendPlan, record: SendRecord): void {
	if (record.trusted && (plan.headers.length > 0 || plan.sign) && !plan.isCurrent()) throw new SupersededError();
}

async function dress(request: Request, plan: SendPlan, record: SendRecord): Promise<Request> {
	const url = new URL(request.url);
	const trusted = plan.isTrusted(url);
	record.url = url.href;
	record.trusted = trusted;
	const headers = new Headers(request.headers);
	if (trusted && (plan.headers.length > 0 || plan.sign) && !plan.isCurrent()) throw new SupersededError();
	if (trusted) for (const [name, value] of [...plan.headers, ...((await plan.sign?.(request.method, url)) ?? [])]) headers.set(name, value);
	const init: RequestInit = { headers, credentials: trusted ? plan.credentials : plan.foreignCredentials };
	if (plan.manualRedirects) init.redirect = "manual";
	return new Request(request, init);
}

async function follow(base: typeof fetch, first: Request, extra: RequestInit | undefined, plan: SendPlan, record: SendRecord): Promise<Response> {
	// 307 and 308 send the body again: keep a copy (only requests carrying a CSRF value come here, and they are small).
	const body = first.body ? await first.clone().arrayBuffer() : null;
	let request = await dress(first, plan, record);
	// Once a hop has left the trusted origins, no later hop is trusted: a foreign origin must not pick where our
	// credentials go next.
	let left = !record.trusted;
	const untrusted: SendPlan = { ...plan, isTrusted: () => false };
	for (let hop = 0; ; hop++) {
		leaving(plan, record);
		const response = await base(request, extra);
		// The caller asked for the redirect itself (fetch's redirect: "manual"): it gets it, as fetch would give it.
		if (first.redirect === "manual" && (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400))) return response;
		if (response.type === "opaqueredirect") {
			// A browser hides the target: following blind could take the CSRF value to another origin.
			throw new RedirectError({ request: first, response });
		}
		const location = response.headers.get("location");
		if (response.status < 300 || response.status > 399 || location === null) return response;
		if (first.redirect === "error") throw new TypeError("fetch failed: the response was a redirect and redirect was set to \"error\"");
		if (hop >= maxRedirects) throw new TypeError("tokenflight: too many redirects");
		discard(response);
		const target = new URL(location, request.url);
		record.redirected = true;
		// Fetch's rules (WHATWG Fetch §4.4): 303, and 301/302 after POST, become a GET without a body.
		const toGet = response.status === 303 ? request.method !== "HEAD" : (response.status === 301 || response.status === 302) && request.method === "POST";
		const method = toGet ? "GET" : request.method;
		const headers = new Headers(first.headers);
		if (toGet) for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(name);
		const next = new Request(target, { method, headers, signal: first.signal, redirect: "manual", ...(toGet || body === null ? {} : { body }) });
		left ||= !plan.isTrusted(target);
		request = await dress(next, left ? untrusted : plan, record);
	}
}
