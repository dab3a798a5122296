// signIn() during an in-place sign-in. The episode steps aside for the newer sign-in; when that one fails
// (its store write throws), the episode must still end, or every stalled request waits for nothing.
import { afterEach, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client, type TokenSet, type TokenStore } from "../../src/index.js";
import { settledWithin, sleep, track } from "../helpers/async.js";
import { fakeFetch } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

it("a signIn() whose write throws while an in-place sign-in is being stored lets the stalled requests go on", async () => {
	const inner = memoryTokenStore({ accessToken: "at-1" });
	let releaseInPlace: () => void = () => {};
	const store: TokenStore = {
		get: inner.get,
		clear: inner.clear,
		async set(tokens: TokenSet) {
			if (tokens.accessToken === "at-2") throw new Error("quota exceeded");
			if (tokens.accessToken === "at-1b") await new Promise<void>((resolve) => (releaseInPlace = resolve));
			inner.set(tokens);
		},
	};
	const api = fakeFetch((seen) => (seen.headers.authorization === "Bearer at-1" ? new Response("{}", { status: 401 }) : Response.json({ ok: true })));
	const reauthenticate = vi.fn(async () => ({ accessToken: "at-1b" }));
	const client = createClient({
		baseUrl: "https://app.example/api/",
		auth: { type: "bearer", store },
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch: api.fetch, retry: 0 },
	});
	clients.push(client);

	const request = track(client.get("me"));
	await sleep(20); // 401 → reauthenticate → its tokens are being written
	expect(reauthenticate).toHaveBeenCalledOnce();
	const signIn = track(client.signIn({ accessToken: "at-2" }));
	releaseInPlace();
	await settledWithin(signIn);
	expect(signIn.status).toBe("rejected");
	await settledWithin(request);

	expect(request.status).toBe("fulfilled");
	expect(api.seen.at(-1)?.headers.authorization).toBe("Bearer at-1b");
	expect(client.session.getSnapshot().status).toBe("authenticated");
});
