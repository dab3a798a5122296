import { vi } from "vitest";
import { createClient, memoryTokenStore, type Client, type ClientOptions, type TokenflightEvent, type TokenSet } from "../../src/index.js";
import { channelHub } from "./channel.js";
import { memoryStorage } from "./storage.js";
import { fakeLocks } from "./tabs.js";
import { fakeFetch } from "./fakeFetch.js";

export const minute = 60_000;

/**
 * Tabs of one app: clients sharing a token store, localStorage, a BroadcastChannel hub and Web Locks, each with what it
 * saw (sign-outs, onSessionEnded calls, events). The API answers 200 to the access tokens `refresh` issued.
 */
export function clientTabs(options: Partial<ClientOptions> = {}, initial: TokenSet = { accessToken: "at-0", refreshToken: "rt-0" }) {
	vi.stubGlobal("localStorage", memoryStorage());
	const store = memoryTokenStore(initial);
	const hub = channelHub();
	const locks = fakeLocks();
	let issued = 0;
	const refresh = vi.fn(async ({ refreshToken }: { refreshToken: string | undefined }) => {
		issued++;
		return { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, refreshExpiresAt: undefined, previous: refreshToken } as TokenSet;
	});
	const api = fakeFetch(() => Response.json({ ok: true }));
	const clients: Client[] = [];
	function open(extra: Partial<ClientOptions> = {}) {
		const signedOut: string[] = [];
		const policy: string[] = [];
		const events: TokenflightEvent[] = [];
		const client = createClient({
			baseUrl: "https://app.example/api/",
			auth: { type: "bearer", store, refresh },
			tabs: { name: "lifetime", locks: locks.locks, channel: hub.open(), visibility: null },
			reauthenticate: () => undefined,
			onSessionEnded: (reason) => {
				policy.push(reason);
				return "signOut";
			},
			onSignedOut: (reason) => void signedOut.push(reason),
			reloadGuard: { storage: memoryStorage(), history: null },
			...options,
			...extra,
			ky: { fetch: api.fetch, retry: 0, ...options.ky },
		});
		client.events.subscribe((event) => events.push(event));
		clients.push(client);
		return { client, signedOut, policy, events };
	}
	return {
		open,
		store,
		refresh,
		api,
		dispose: () => {
			clients.forEach((client) => client.dispose());
			vi.unstubAllGlobals();
		},
	};
}
