import type { Options as KyOptions } from "ky";

/** ky's per-request options, plus `auth: false` for requests that must go without credentials or session logic (a login call). */
export type RequestOptions = Omit<KyOptions, "throwHttpErrors"> & {
	/** `false` sends the request bare: no credentials, no refresh, no stall. @default true */
	auth?: boolean;
};

export function toKyOptions(options: RequestOptions): KyOptions {
	const { auth: _auth, ...rest } = options;
	return rest;
}
