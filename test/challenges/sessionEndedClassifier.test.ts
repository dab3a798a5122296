// sessionEnded classifiers: one that throws counts as no match; a non-idempotent request whose 2xx answer a classifier
// matched is not sent again; the cap on rounds of one request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, createClient, memoryTokenStore, NotReplayedError, type Client, type ClientOptions } from "../../src/index.js";
import { captureUncaught, settledWithin, sleep, track } from "../helpers/async.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function make(options: Partial<ClientOptions> & Pick<ClientOptions, "auth">, fetch: typeof globalThis.fetch) {
	const client = createClient({ baseUrl, reloadGuard: { storage: memoryStorage(), history: null }, tabs: false, ...options, ky: { fetch, retry: 0 } });
	clients.push(client);
	return client;
}

describe("a sessionEnded classifier that throws", () => {
	// It used to reject the request with the classifier's raw error, and a 2xx answer was lost.
	it("counts as no match: the caller gets the answer, and the app hears of the error as an uncaught one", async () => {
		await captureUncaught(async (errors) => {
			const api = fakeFetch(() => Response.json({ id: 7 }));
			const bug = new Error("classifier bug");
			const reauthenticate = vi.fn();
			const client = make(
				{
					auth: { type: "cookie" },
					reauthenticate,
					sessionEnded: () => {
						throw bug;
					},
				},
				api.fetch,
			);
			await expect(client.get("documents/7")).resolves.toEqual({ id: 7 });
			await sleep(0);
			expect(errors).toEqual([bug]);
			expect(reauthenticate).not.toHaveBeenCalled();
			expect(client.session.getSnapshot().status).not.toBe("reauthenticating");
		});
	});

	it("an async classifier that rejects counts as no match too; a 500 still rejects as the server's error", async () => {
		await captureUncaught(async (errors) => {
			const api = fakeFetch(() => Response.json({ message: "boom" }, { status: 500 }));
			const client = make({ auth: { type: "cookie" }, sessionEnded: async () => Promise.reject(new Error("probe failed")) }, api.fetch);
			await expect(client.get("documents/7")).rejects.toMatchObject({ name: "ServerError", status: 500 });
			await sleep(0);
			expect(errors).toHaveLength(1);
		});
	});
});

describe("a non-idempotent request whose 2xx answer a classifier matched", () => {
	// A match used to take the same path as a 401, so a POST whose 200 came back as HTML (a proxy that did pass the
	// request on) was sent again after re-authentication: the server executed it twice.
	it("is not sent again: it rejects with NotReplayedError once the session has settled", async () => {
		let signedIn = false;
		const api = fakeFetch((seen) =>
			signedIn ? Response.json({ ok: true }) : new Response("<html>login</html>", { status: 200, headers: { "content-type": "text/html" } }),
		);
		let finish: () => void = () => {};
		const reauthenticate = vi.fn(
			() =>
				new Promise<void>((resolve) => {
					finish = () => {
						signedIn = true;
						resolve();
					};
				}),
		);
		const client = make({ auth: { type: "cookie" }, reauthenticate, sessionEnded: (response) => (response?.headers.get("content-type")?.includes("html") ? "answered-from-outside" : false) }, api.fetch);

		const write = track(client.post("documents.create", { title: "once" }));
		await sleep(20);
		expect(reauthenticate).toHaveBeenCalledOnce();
		expect(write.status).toBe("pending"); // it waits for the session to settle, like every other request
		finish();
		await settledWithin(write);

		expect(write.error).toBeInstanceOf(NotReplayedError);
		expect(api.seen.filter((seen) => seen.method === "POST")).toHaveLength(1);
		// The session came back, and a GET classified the same way is still retried.
		await expect(client.get("me")).resolves.toEqual({ ok: true });
	});

	it("a POST redirected to a login page that answers 200 HTML (seed 001: turned away, not processed) is sent again", async () => {
		let signedIn = false;
		const api = fakeFetch((seen) =>
			signedIn
				? Response.json({ ok: true })
				: Object.defineProperty(new Response("<html>home</html>", { headers: { "content-type": "text/html" } }), "redirected", { value: seen.method === "POST" }),
		);
		const reauthenticate = vi.fn(async () => {
			signedIn = true;
		});
		const client = make({ auth: { type: "cookie" }, reauthenticate, sessionEnded: (response) => (response?.headers.get("content-type")?.includes("html") ? "answered-from-outside" : false) }, api.fetch);
		await expect(client.post("documents.list", {})).resolves.toEqual({ ok: true });
		expect(api.seen.filter((seen) => seen.method === "POST")).toHaveLength(2);
	});

	it("a POST answered 302 to the login page (not processed) is still sent again after re-authentication", async () => {
		let signedIn = false;
		const api = fakeFetch(() => (signedIn ? Response.json({ ok: true }) : new Response(null, { status: 302, headers: { location: "https://sso.example/login" } })));
		const reauthenticate = vi.fn(async () => {
			signedIn = true;
		});
		const client = make({ auth: { type: "cookie" }, reauthenticate, sessionEnded: (response) => (response && response.status === 302 ? "answered-from-outside" : false) }, api.fetch);
		await expect(client.post("documents.create", { title: "once" }, { redirect: "manual" })).resolves.toEqual({ ok: true });
		expect(api.seen.filter((seen) => seen.method === "POST")).toHaveLength(2);
	});
});

describe("cookie auth with CSRF (manual redirects): same-origin login redirect of a POST", () => {
	it("a POST turned away by a 302 to the same-origin login page is replayed after re-authentication (as with native redirects)", async () => {
		let signedIn = false;
		const api = fakeFetch((seen) => {
			if (signedIn) return Response.json({ ok: true });
			if (seen.url.includes("/login")) return new Response("<html>login</html>", { headers: { "content-type": "text/html" } });
			return new Response(null, { status: 302, headers: { location: "https://app.example/login" } });
		});
		const reauthenticate = vi.fn(async () => {
			signedIn = true;
		});
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "cookie", csrf: { cookie: "csrf", header: "x-csrf", read: () => "csrf-value" } },
			reauthenticate,
			sessionEnded: (response) => (response?.headers.get("content-type")?.includes("html") ? "answered-from-outside" : false),
		});
		const result = await client.post("documents.list", {}).then((v) => ({ v }), (e: unknown) => ({ e }));
		expect(result).toEqual({ v: { ok: true } });
	});
});

describe("the cap on rounds of one request", () => {
	// With a generous maxAttempts and an in-place reauthenticate that keeps handing back dead tokens, the 12-round
	// cap used to reject with AuthenticationError while the session still said `authenticated`. The README promises
	// no AuthenticationError unless the session is signedOut.
	it("signs the session out when every round's credentials died, so the AuthenticationError is true", async () => {
		const api = fakeFetch(() => new Response("{}", { status: 401 }));
		let issued = 0;
		const reauthenticate = vi.fn(async () => ({ accessToken: `dead-${++issued}` }));
		const client = make(
			{
				auth: { type: "bearer", store: memoryTokenStore({ accessToken: "dead-0" }) },
				reauthenticate,
				reloadGuard: { storage: memoryStorage(), history: null, maxAttempts: 100 },
			},
			api.fetch,
		);
		const result = track(client.get("me"));
		await settledWithin(result, 2_000);
		expect(result.error).toBeInstanceOf(AuthenticationError);
		expect(client.session.getSnapshot().status).toBe("signedOut");
		expect(reauthenticate.mock.calls.length).toBeLessThan(13);
	});
});
