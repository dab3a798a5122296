// docs/migrating-from-outline.md's recipe for keeping Outline's own ApiClient: tokenflight's client.fetch handed to it
// (the PR's `fetch` option), fetch-retry's `retryOn` rule, a redirect-only classifier, and the unauthorized handler
// reporting to tokenflight, which signs out once and calls logout() once. Run under test/outline/upstreamApiClient.ts,
// Outline's request path as upstream has it.
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { AuthorizationError, NetworkError } from "../../examples/outline/errors.js";
import { createClient, type SessionEnded } from "../../src/cookie/index.js";
import { pageCookieJar } from "../helpers/pageFetch.js";
import { origin, useOutlineBackend } from "../helpers/outline.js";
import { UpstreamApiClient, type UpstreamOptions } from "../fixtures/outline/upstreamApiClient.js";

const { mock, server } = useOutlineBackend();

// The recipe's rule: retry what fetch itself rejects with (a TypeError: the network), as upstream does; never a
// tokenflight rejection (a NotReplayedError write reached the server; an AuthenticationError is the session). An
// AbortError (dispose() as the page goes, or the caller's own signal) is left pending: nobody is waiting for it.
const retryOn: UpstreamOptions["retryOn"] = (attempt, error) =>
	error?.name === "AbortError" ? new Promise<boolean>(() => undefined) : attempt < 3 && error instanceof TypeError;

// Redirect-only: Outline asks for JSON on every call, downloads too, so "HTML where JSON was asked for" would end the
// session on an HTML export. A redirect off /api/ (or one the browser hides) is the portal's.
const redirectedOffApi: SessionEnded = (response) =>
	response !== undefined && (response.type === "opaqueredirect" || (response.url !== "" && !response.url.startsWith(`${origin}/api/`))) && "answered-from-outside";

function recipe(options: { retryOn?: UpstreamOptions["retryOn"]; identity?: (response: Response) => string | null } = {}) {
	const page = pageCookieJar();
	const logout = vi.fn();
	const tf = createClient({
		baseUrl: `${origin}/`,
		auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: page.read } },
		onSessionEnded: "signOut",
		onSignedOut: (reason) => logout(reason === "user_suspended" ? { savePath: false, revokeToken: false, clearCache: true } : { savePath: true, revokeToken: false, clearCache: false }),
		sessionEnded: redirectedOffApi,
		tabs: false,
		reloadGuard: { storage: null, history: null },
		ky: { fetch: page.fetch },
		...(options.identity ? { identity: options.identity } : {}),
	});
	const client = new UpstreamApiClient({ baseUrl: `${origin}/api`, fetch: tf.fetch, readCookie: page.read, ...(options.retryOn ? { retryOn: options.retryOn } : {}) });
	// Outline's handler reports to tokenflight, which signs out once however many 401s come back.
	client.setUnauthorizedHandler((reason) => tf.reportSessionEnded(reason));
	return { page, tf, client, logout };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("Outline's own ApiClient on tokenflight's fetch", () => {
	it("a burst of 8 on a dead session: logout() once, and every caller gets AuthorizationError (the UI drops it once signed out)", async () => {
		const { page, tf, client, logout } = recipe({ retryOn });
		page.jar.set("accessToken", mock.login("alice").accessToken);
		await page.fetch(mock.pageUrl);
		await client.post("/auth.info");
		mock.revokeSessions("alice");
		const results = await Promise.allSettled(Array.from({ length: 8 }, (_, index) => client.post("/documents.list", { offset: index })));
		expect(results.map((result) => (result.status === "rejected" ? (result.reason as Error).constructor : result.status))).toEqual(Array(8).fill(AuthorizationError));
		expect(logout).toHaveBeenCalledExactlyOnceWith({ savePath: true, revokeToken: false, clearCache: false });
		expect(tf.session.getSnapshot()).toMatchObject({ status: "signedOut", reason: "unauthorized" });
		tf.dispose();
	});

	it("upstream's wiring (the handler calls logout() itself) logs out once per 401: 8 for the burst", async () => {
		const { page, tf, client } = recipe({ retryOn });
		const logout = vi.fn();
		client.setUnauthorizedHandler(() => logout());
		page.jar.set("accessToken", mock.login("alice").accessToken);
		await page.fetch(mock.pageUrl);
		mock.revokeSessions("alice");
		await Promise.allSettled(Array.from({ length: 8 }, (_, index) => client.post("/documents.list", { offset: index })));
		expect(logout).toHaveBeenCalledTimes(8);
		tf.dispose();
	});

	it("a suspended user: logout() once with clearCache", async () => {
		const { page, tf, client, logout } = recipe({ retryOn });
		page.jar.set("accessToken", mock.login("alice").accessToken);
		await page.fetch(mock.pageUrl);
		mock.suspend("alice");
		await Promise.allSettled([client.post("/documents.list"), client.post("/auth.info"), client.post("/collections.list")]);
		expect(logout).toHaveBeenCalledExactlyOnceWith({ savePath: false, revokeToken: false, clearCache: true });
		tf.dispose();
	});

	describe("a write whose answer tokenflight withholds (NotReplayedError) is not sent again", () => {
		// The answer to the write names another user: it is withheld, the session ends, and the write is not replayed.
		function otherUserAnswersTheWrite() {
			let creates = 0;
			server.use(
				http.post(`${origin}/api/auth.info`, () => HttpResponse.json({ data: {} }, { headers: { "x-user-id": "alice" } })),
				http.post(`${origin}/api/documents.create`, () => {
					creates++;
					return HttpResponse.json({ data: { id: "d1" } }, { headers: { "x-user-id": "bob" } });
				}),
			);
			return { creates: () => creates };
		}
		const identity = (response: Response) => response.headers.get("x-user-id");

		it("with the retryOn rule: sent once", async () => {
			const server = otherUserAnswersTheWrite();
			const { tf, client } = recipe({ retryOn, identity });
			await client.post("/auth.info");
			await expect(client.post("/documents.create", { title: "x" })).rejects.toBeInstanceOf(NetworkError);
			expect(server.creates()).toBe(1);
			tf.dispose();
		});

		it("upstream's fetch-retry defaults retry every rejection: the write goes out again", async () => {
			const server = otherUserAnswersTheWrite();
			const { tf, client } = recipe({ identity });
			await client.post("/auth.info");
			await client.post("/documents.create", { title: "x" }).catch(() => undefined);
			expect(server.creates()).toBeGreaterThan(1);
			tf.dispose();
		});
	});

	describe("a request made after dispose() (the page going away) is not a 'network error' toast", () => {
		/** tokenflight rejects it with an AbortError; Outline turns any rejection fetch-retry gives up on into NetworkError. */
		function afterDispose(options: { retryOn?: UpstreamOptions["retryOn"] }) {
			const { tf, client } = recipe(options);
			tf.dispose();
			const outcome = vi.fn();
			client.post("/documents.info").then(() => outcome("resolved"), (error: Error) => outcome(error.name));
			return outcome;
		}

		it("with the retryOn rule: the caller is left waiting, no NetworkError", async () => {
			const outcome = afterDispose({ retryOn });
			await settle();
			expect(outcome).not.toHaveBeenCalled();
		});

		it("upstream's defaults: the AbortError is retried three times and comes back as NetworkError, a toast", async () => {
			const outcome = afterDispose({});
			await vi.waitFor(() => expect(outcome).toHaveBeenCalledWith("NetworkError"), { timeout: 10_000 });
		});
	});
});
