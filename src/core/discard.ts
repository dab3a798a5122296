/**
 * Releases a response body nobody will read. Never awaited: under msw 2 a cancel can stay pending forever, and nothing
 * on the request path may wait for it.
 */
export function discard(response: Response): void {
	try {
		void response.body?.cancel().catch(() => undefined);
	} catch {
		// A locked or already consumed body has nothing left to release.
	}
}
