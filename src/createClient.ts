import { bearerCredentials } from "./auth/bearer.js";
import { cookieCredentials } from "./auth/cookie.js";
import { createClientWith } from "./client.js";
import type { Client, ClientOptions } from "./options.js";

/**
 * A fetch client for a single-page app's own API: credentials only to trusted origins, one refresh for N 401s,
 * exactly one re-authentication for a dead session while every other request waits, and no loops.
 */
export function createClient(options: ClientOptions): Client {
	return createClientWith(options, (auth, context) => (auth.type === "bearer" ? bearerCredentials(auth, context) : cookieCredentials(auth)));
}
