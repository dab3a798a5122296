// `tokenflight/bearer`: everything of `tokenflight`, with a `createClient` for bearer tokens only, so an app that
// sends bearer tokens does not ship the cookie code.
import { bearerCredentials, type BearerAuth } from "../auth/bearer.js";
import { createClientWith } from "../client.js";
import type { Client, ClientOptions } from "../options.js";

export * from "../index.js";

export type BearerClientOptions = Omit<ClientOptions, "auth"> & { auth: BearerAuth };

/** `createClient` for bearer tokens (with optional refresh and DPoP). */
export function createClient(options: BearerClientOptions): Client {
	return createClientWith(options, (auth, context) => {
		if (auth.type !== "bearer") throw new TypeError((typeof process !== "undefined" && process.env.NODE_ENV !== "production" ? 'tokenflight/bearer: auth.type must be "bearer"; import createClient from "tokenflight/cookie" for cookie sessions' : 'tokenflight/bearer: auth.type'));
		return bearerCredentials(auth, context);
	});
}
