// A cookie-mode client with the README's SSO recipe (`sessionEnded: answeredFromOutside()`) over a real node:http
// server, with spies on what a dead session would set off.
import { vi } from "vitest";
import { answeredFromOutside, createClient, type Client, type ClientOptions } from "../../src/index.js";
import { memoryStorage } from "./storage.js";

export function ssoClient(origin: string, overrides: Partial<ClientOptions> = {}) {
	const reauthenticate = vi.fn<NonNullable<ClientOptions["reauthenticate"]>>(() => undefined);
	const onSignedOut = vi.fn();
	const client: Client = createClient({
		baseUrl: `${origin}/api/`,
		auth: { type: "cookie", csrf: { cookie: "csrf", header: "x-csrf-token", read: () => "csrf-1" } },
		sessionEnded: answeredFromOutside(),
		reauthenticate,
		onSignedOut,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0 },
		...overrides,
	});
	return { client, reauthenticate, onSignedOut };
}

export const proxyErrorPage = "<!doctype html><html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
