// `tokenflight/cookie`: everything of `tokenflight`, with a `createClient` for cookie sessions only, so an app that
// signs in with cookies does not ship the bearer code and its refresher.
import { cookieCredentials, type CookieAuth } from "../auth/cookie.js";
import { createClientWith } from "../client.js";
import type { Client, ClientOptions } from "../options.js";

export * from "../index.js";

export type CookieClientOptions = Omit<ClientOptions, "auth" | "refreshLeewayMs"> & { auth: CookieAuth };

/** `createClient` for cookie sessions (with optional double-submit CSRF). */
export function createClient(options: CookieClientOptions): Client {
	return createClientWith(options, (auth) => {
		if (auth.type !== "cookie") throw new TypeError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? 'tokenflight/cookie: auth.type must be "cookie"; import createClient from "tokenflight" for bearer tokens' : 'tokenflight/cookie: auth.type'));
		return cookieCredentials(auth);
	});
}
