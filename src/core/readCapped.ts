/** How much of a body tokenflight reads for itself (an error's `data`, the classifier's peek): 64 KB. */
export const bodyCap = 64 * 1024;

/**
 * Reads a body as text, at most `cap` bytes: an origin that never ends its answer cannot make a request wait on it.
 * `done(text)` may end the read early (a complete JSON value). Beyond the cap, or on `done`, the rest is cancelled.
 * `complete` is false when the body went on past what was read.
 */
export async function readCapped(body: ReadableStream<Uint8Array>, options: { cap?: number; done?: (text: string) => boolean } = {}): Promise<{ text: string; complete: boolean }> {
	const { cap = bodyCap, done } = options;
	const reader = body.getReader();
	const decoder = new TextDecoder();
	let text = "";
	let read = 0;
	try {
		for (;;) {
			const chunk = await reader.read();
			if (chunk.done) return { text: text + decoder.decode(), complete: true };
			read += chunk.value.byteLength;
			text += decoder.decode(read > cap ? chunk.value.subarray(0, chunk.value.byteLength - (read - cap)) : chunk.value, { stream: true });
			if (read >= cap || done?.(text)) {
				void reader.cancel().catch(() => undefined);
				return { text, complete: false };
			}
		}
	} finally {
		reader.releaseLock();
	}
}

/**
 * An error's answer with its body cut after 64 KB. ky reads every body it throws on into `error.data` (with no
 * timeout, for as long as it takes, up to 10 MB), so an origin that never ends one would hold the request; cut here,
 * the read ends and the rest is cancelled. The response keeps its `url` and `redirected`.
 */
export function capErrorBody(response: Response): Response {
	// A 401 is the loop's, which reads at most 64 KB of it itself (`readErrorData`); ky throws on none.
	if (response.status < 400 || response.status === 401 || !response.body) return response;
	let read = 0;
	const cut = new TransformStream<Uint8Array, Uint8Array>({
		transform(chunk, controller) {
			const room = bodyCap - read;
			read += chunk.byteLength;
			controller.enqueue(chunk.byteLength > room ? chunk.subarray(0, room) : chunk);
			if (read >= bodyCap) controller.terminate();
		},
	});
	const { url, redirected } = response;
	return Object.defineProperties(new Response(response.body.pipeThrough(cut), response), { url: { value: url }, redirected: { value: redirected } });
}
