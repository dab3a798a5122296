import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client, type TokenflightEvent } from "../../src/index.js";
import { channelHub } from "../helpers/channel.js";
import { memoryStorage } from "../helpers/storage.js";
import { fakeLocks } from "../helpers/tabs.js";
import { track } from "../helpers/async.js";
import { fakeFetch } from "../helpers/fakeFetch.js";

const clients: Client[] = [];
afterEach(() => {
	clients.splice(0).forEach((client) => client.dispose());
	vi.unstubAllGlobals();
});

/** Moves the fake clock until `promise` settles (at most 10 s of it). */
async function settle<T>(promise: Promise<T>): Promise<void> {
	const state = track(promise);
	for (let waited = 0; state.status === "pending" && waited < 10_000; waited += 50) await vi.advanceTimersByTimeAsync(50);
	expect(state.status).not.toBe("pending");
}

// Secrets look like nothing an event could contain by chance.
const secret = (name: string, n: number) => `${name}-${n}-q8Zr4kT2`;

describe("events carry no secret", () => {
	it("should name no token, CSRF value or query string in any event of a full run (storm, re-authentication, challenge, lifetime)", async () => {
		vi.useFakeTimers();
		vi.stubGlobal("localStorage", memoryStorage());
		const secrets: string[] = [];
		let issued = 0;
		const issue = () => {
			issued++;
			const tokens = { accessToken: secret("access", issued), refreshToken: secret("refresh", issued) };
			secrets.push(tokens.accessToken, tokens.refreshToken);
			return tokens;
		};
		const live = new Set<string>();
		let revoked = false;
		const api = fakeFetch((seen) => {
			const token = (seen.headers.authorization ?? "").replace("Bearer ", "");
			if (seen.url.includes("/export")) return new Response("{}", { status: 401, headers: { "www-authenticate": `Bearer error="insufficient_user_authentication", acr_values="mfa"` } });
			return live.has(token) ? Response.json({ ok: true, echo: token }) : new Response(JSON.stringify({ token }), { status: 401 });
		});
		const store = memoryTokenStore(issue());
		const hub = channelHub();
		const locks = fakeLocks();
		const events: TokenflightEvent[] = [];
		const open = () => {
			const client = createClient({
				baseUrl: "https://app.example/api/",
				auth: {
					type: "bearer",
					store,
					refresh: async ({ refreshToken }) => {
						if (revoked) throw Object.assign(new Error(`invalid_grant for ${refreshToken}`), { status: 400 });
						const next = issue();
						live.add(next.accessToken);
						return next;
					},
				},
				tabs: { name: "scan", locks: locks.locks, channel: hub.open(), visibility: null },
				reauthenticate: async () => {
					revoked = false;
					const next = issue();
					live.add(next.accessToken);
					return next;
				},
				reloadGuard: { storage: memoryStorage(), history: null },
				idle: { timeoutMs: 60_000, warnBeforeMs: 10_000, activityTarget: null },
				dedupe: true,
				ky: { fetch: api.fetch, retry: 0 },
			});
			client.events.subscribe((event) => events.push(event));
			clients.push(client);
			return client;
		};
		const a = open();
		const b = open();
		await vi.dynamicImportSettled();
		const queries = Array.from({ length: 10 }, (_, i) => `needle${i}=v${i}-q8Zr4kT2`);
		// A storm on an expired token, in both tabs, with query strings.
		await settle(Promise.all(queries.flatMap((query, i) => [a.get(`docs?${query}`), b.get(`docs?${query}`, { dedupe: i % 2 === 0 })])));
		// The refresh token is revoked: re-authentication.
		live.clear();
		revoked = true;
		await settle(Promise.all([a.get(`me?${queries[0]}`), b.get(`me?${queries[1]}`)]));
		// A step-up challenge, and the lifetime running out.
		await settle(a.get(`export?${queries[2]}`).catch(() => undefined));
		await vi.advanceTimersByTimeAsync(61_000);

		const types = new Set(events.map((event) => event.type));
		for (const type of ["refresh.started", "refresh.succeeded", "refresh.failed", "session.ended", "requests.stalled", "requests.released", "challenge", "lifetime.warning", "lifetime.expired"]) {
			expect(types, type).toContain(type);
		}
		const text = JSON.stringify(events);
		for (const value of [...secrets, ...queries, "q8Zr4kT2", "needle", "?"]) expect(text).not.toContain(value);
		expect(secrets.length).toBeGreaterThan(4);
	});

	it("should name no CSRF value in the events of a cookie session", async () => {
		const csrf = "csrf-q8Zr4kT2";
		let signedIn = true;
		const api = fakeFetch(() => (signedIn ? Response.json({ ok: true }) : new Response(JSON.stringify({ csrf }), { status: 401 })));
		const client = createClient({
			baseUrl: "https://app.example/api/",
			auth: { type: "cookie", csrf: { cookie: "csrf", header: "x-csrf", read: () => csrf } },
			tabs: false,
			reauthenticate: async () => void (signedIn = true),
			reloadGuard: { storage: memoryStorage(), history: null },
			ky: { fetch: api.fetch, retry: 0 },
		});
		clients.push(client);
		const events: TokenflightEvent[] = [];
		client.events.subscribe((event) => events.push(event));
		signedIn = false;
		const writes = track(Promise.all([client.post("docs?x=1", { a: 1 }), client.post("docs?x=2", { a: 2 })]));
		await vi.waitFor(() => expect(writes.status).not.toBe("pending"));
		expect(events.map((event) => event.type)).toContain("session.ended");
		expect(JSON.stringify(events)).not.toContain(csrf);
		expect(JSON.stringify(events)).not.toContain("x=");
	});
});
