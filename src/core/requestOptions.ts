import type { Options as KyOptions } from "ky";

/** ky's per-request options, plus how the request relates to the session. */
export type RequestOptions = Omit<KyOptions, "throwHttpErrors"> & {
	/**
	 * - `true`: credentials, refresh, stall and the loop guard.
	 * - `false`: bare: no credentials added, no session logic (a login call); `credentials` is yours (default `"omit"`).
	 * - `"neutral"`: credentials as usual, but the answer says nothing about the session: a 401 is an ordinary
	 *   `HttpError`, nothing is refreshed, nothing stalls (a share link a signed-in viewer opens).
	 * @default true
	 */
	auth?: boolean | "neutral";
	/** Share one response among identical requests in flight (the same in every option). @default the client's `dedupe` */
	dedupe?: boolean;
};

export function toKyOptions(options: RequestOptions): KyOptions {
	const { auth: _auth, dedupe: _dedupe, ...rest } = options;
	return rest;
}
