import { resolveUrl } from "../core/origins.js";
import type { RequestOptions } from "../core/requestOptions.js";
import { ApiError } from "../errors.js";
import type { ClientCore, Mode } from "./context.js";
import { request } from "./loop.js";

/** Runs requests, sharing one response among identical ones in flight (each caller reads its own copy). */
export function requestRunner(core: ClientCore) {
	const inFlight = new Map<string, Promise<Response>>();
	return (path: string | URL, init: RequestOptions, mode: Mode): Promise<Response> => {
		const { options } = core;
		const key = (init.dedupe ?? options.dedupe) && !init.signal ? dedupeKey(resolveUrl(path, core.baseUrl), init, mode, core.session.state.generation) : undefined;
		const rethrowMapped = (error: unknown): never => {
			const mapped = error instanceof ApiError && options.errorFor && !mode.raw ? options.errorFor(error) : undefined;
			throw mapped ?? error;
		};
		if (key === undefined) return options.errorFor ? request(core, path, init, mode).catch(rethrowMapped) : request(core, path, init, mode);
		let shared = inFlight.get(key);
		if (shared) core.events.emit({ type: "dedupe.hit" });
		else {
			shared = request(core, path, init, mode).finally(() => inFlight.delete(key));
			inFlight.set(key, shared);
		}
		return shared.then((response) => response.clone(), rethrowMapped);
	};
}

function dedupeKey(url: URL, init: RequestOptions, mode: Mode, generation: number): string | undefined {
	const { body, json } = init;
	let payload: string;
	if (json !== undefined) payload = JSON.stringify(json);
	else if (body === undefined || body === null) payload = "";
	else if (typeof body === "string" || body instanceof URLSearchParams) payload = String(body);
	else return undefined; // FormData, Blob, streams: not compared.
	const headers = new Headers(init.headers as HeadersInit | undefined);
	const search = init.searchParams === undefined ? "" : String(new URLSearchParams(init.searchParams as ConstructorParameters<typeof URLSearchParams>[0]));
	return JSON.stringify([init.method ?? "GET", url.href, search, payload, mode.raw, [...headers], init.auth ?? true, init.credentials, init.redirect, generation]);
}
