// Nothing leaves while the session is reauthenticating, ky's own retries included.
// README, step 4: "The session moves to reauthenticating … Nothing is sent while reauthenticating."
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type Client } from "../../src/index.js";
import { sleep } from "../helpers/async.js";
import { fakeFetch } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

describe("ky's own retry during a re-authentication", () => {
	// The transport only checks `isCurrent()` (the generation) as a request leaves; entering `reauthenticating` does not
	// change the generation, and ky's retries run inside send(), outside the loop's whenSendable() gate. With ky's retry
	// defaults (README: "2 retries for GET … on 408, 413, 429, 500, 502, 503 and 504 and on network errors"), a GET that
	// met a 503 just before another request found the session dead is sent again, with the dead credential, while
	// `reauthenticate` (a reload) is under way.
	it("a GET retried by ky after a 503 is not sent while the session is reauthenticating", async () => {
		const api = fakeFetch((seen) => {
			if (seen.url.endsWith("/flaky")) return new Response("busy", { status: 503 });
			return new Response("{}", { status: 401 });
		});
		const reauthenticate = vi.fn(() => undefined); // navigating away
		const client = createClient({
			baseUrl,
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "dead" }) },
			reauthenticate,
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
			ky: { fetch: api.fetch }, // ky's retry defaults
		});
		clients.push(client);

		void client.get("flaky").catch(() => undefined);
		await vi.waitFor(() => expect(api.seen).toHaveLength(1));
		void client.get("me").catch(() => undefined);
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1));
		const sentBeforeReauth = api.seen.length;
		expect(client.session.getSnapshot().status).toBe("reauthenticating");

		await sleep(1_200);
		expect(api.seen.slice(sentBeforeReauth).map((seen) => `${seen.method} ${new URL(seen.url).pathname} ${seen.headers.authorization}`)).toEqual([]);
	});
});
