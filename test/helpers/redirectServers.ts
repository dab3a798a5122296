// Two real node:http origins on 127.0.0.1 (two ports) and clients of the trusted one, for the redirect tests: Node's
// own fetch follows (or hands over) every redirect, as it would in production.
import { useTrustedAndForeign } from "./recordingServer.js";

/** Both origins answer 200 `{ ok: true }` by default. */
export function twoOrigins() {
	return useTrustedAndForeign({ foreignBody: { ok: true } });
}

/** A body that can be read only once, as a ReadableStream is. */
export function streamOf(text: string): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(new TextEncoder().encode(text));
			controller.close();
		},
	});
}
