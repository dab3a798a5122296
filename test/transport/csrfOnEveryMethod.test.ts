// Nextcloud checks its CSRF token (`requesttoken`) on every method unless a controller opts out, and on a #[CORS] route
// a request without it logs the whole session out (seed 000's cascade, in cookie mode). `csrf.methods: "all"` sends
// the header on every method to trusted origins; the default stays unsafe methods only.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, HttpError, type Client, type CookieAuth } from "../../src/index.js";
import { nextcloudServer } from "../helpers/nextcloudServer.js";
import { recordingServer } from "../helpers/recordingServer.js";
import { memoryStorage } from "../helpers/storage.js";

const nextcloud = nextcloudServer();
const clients: Client[] = [];
beforeEach(() => nextcloud.listen());
afterEach(async () => {
	clients.splice(0).forEach((client) => client.dispose());
	await nextcloud.close();
});

function nextcloudClient(methods?: "unsafe" | "all") {
	const login = nextcloud.login("alice");
	const reauthenticate = vi.fn(() => undefined);
	const csrf = { cookie: "requesttoken", header: "requesttoken", read: () => login.requestToken, ...(methods ? { methods } : {}) } as NonNullable<CookieAuth["csrf"]>;
	const client = createClient({
		baseUrl: `${nextcloud.state.origin}/index.php/`,
		auth: { type: "cookie", csrf },
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		// Node's fetch keeps no cookie jar: the browser's session cookie, by hand.
		ky: { headers: { cookie: login.cookie } },
	});
	clients.push(client);
	return { client, login, reauthenticate };
}

describe('csrf.methods: "all" against Nextcloud', () => {
	it("should pass Nextcloud's CSRF check on a GET", async () => {
		const { client } = nextcloudClient("all");
		await expect(client.get("apps/files/api/v1/recent")).resolves.toEqual({ files: ["a.txt"] });
	});

	it("should keep the session of a GET to a #[CORS] route", async () => {
		const { client, login, reauthenticate } = nextcloudClient("all");
		await expect(client.get("apps/notes/api/v1/notes")).resolves.toEqual([{ id: 1, title: "Groceries" }]);
		expect(login.isLoggedIn()).toBe(true);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("should not send the token to an origin a GET is redirected to", async () => {
		const foreign = recordingServer();
		await foreign.listen();
		try {
			const redirecting = createClient({
				baseUrl: `${foreign.state.origin}/`,
				trustedOrigins: [],
				auth: { type: "cookie", csrf: { cookie: "requesttoken", header: "requesttoken", read: () => "token-1", methods: "all" } },
				tabs: false,
			});
			clients.push(redirecting);
			foreign.state.route = (seen) => (seen.path === "/start" ? { status: 302, headers: { location: `${nextcloud.state.origin}/elsewhere` } } : { status: 200, body: "{}" });
			await redirecting.request("start").catch(() => undefined);
			expect(foreign.state.seen[0]!.headers.requesttoken).toBe("token-1");
			expect(nextcloud.state.seen.at(-1)!.headers.requesttoken).toBeUndefined();
		} finally {
			await foreign.close();
		}
	});

	it("should reject another value with a TypeError naming the option", () => {
		expect(() =>
			createClient({ baseUrl: "https://cloud.example/", auth: { type: "cookie", csrf: { cookie: "c", header: "h", methods: "every" as "all" } }, tabs: false }),
		).toThrow(/auth\.csrf\.methods takes "unsafe" or "all", got "every"/);
	});
});

describe("the default, unsafe methods only, against Nextcloud", () => {
	it("should meet Nextcloud's 412 CSRF check failed on a GET", async () => {
		const { client } = nextcloudClient();
		const error = await client.get("apps/files/api/v1/recent").catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(HttpError);
		expect(error).toMatchObject({ status: 412, data: { message: "CSRF check failed" } });
	});

	it("should have the session logged out by a GET to a #[CORS] route (seed 000's cascade)", async () => {
		const { client, login, reauthenticate } = nextcloudClient();
		void client.get("apps/notes/api/v1/notes").catch(() => undefined);
		await expect.poll(() => reauthenticate.mock.calls.length).toBe(1);
		expect(login.isLoggedIn()).toBe(false);
		expect(nextcloud.state.logouts).toBe(1);
	});
});
