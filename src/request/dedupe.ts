import { resolveUrl } from "../core/origins.js";
import type { RequestOptions } from "../core/requestOptions.js";
import { dedupeKey } from "../core/dedupeKey.js";
import { appError, type ClientCore, type Mode } from "./context.js";
import { request } from "./loop.js";

/** Runs requests, sharing one response among identical ones in flight (each caller reads its own copy). */
export function requestRunner(core: ClientCore) {
	const inFlight = new Map<string, Promise<Response>>();
	return (path: string | URL, init: RequestOptions, mode: Mode): Promise<Response> => {
		const { options } = core;
		const key = (init.dedupe ?? options.dedupe) && !init.signal ? dedupeKey(resolveUrl(path, core.baseUrl), init, mode, core.session.state.generation) : undefined;
		const rethrowMapped = (raw: unknown): never => {
			// Whatever path it took, nothing thrown leaves with a secret in it (its cause chain included).
			const error = core.secrets.redact(raw);
			throw mode.raw ? error : appError(core, error);
		};
		// Redacted on every path: an error thrown past send() (a failed refresh at the loop's recovery) has not been.
		if (key === undefined) return request(core, path, init, mode).catch(rethrowMapped);
		let shared = inFlight.get(key);
		if (shared) core.events.emit({ type: "dedupe.hit" });
		else {
			shared = request(core, path, init, mode).finally(() => inFlight.delete(key));
			inFlight.set(key, shared);
		}
		return shared.then((response) => response.clone(), rethrowMapped);
	};
}
