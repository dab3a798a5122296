// No token or CSRF value reaches an error (message, data, challenge, cause), whatever the server echoes.
// README: "Nothing tokenflight logs or throws contains a token." client.ts redact(): "a server that echoes a token back
// must not put it into a log or a toast".
import { inspect } from "node:util";
import ky from "ky";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, memoryTokenStore, type Client, type ClientOptions, type RefreshFunction } from "../../src/index.js";
import { fakeFetch, fakeFetchClient } from "../helpers/fakeFetch.js";
import { memoryStorage } from "../helpers/storage.js";

const baseUrl = "https://app.example/api/";
const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

const accessToken = "opaque-access-token-5f1c2a9e77d04b";
const refreshToken = "opaque-refresh-token-9a8b7c6d5e4f";

function bearer(route: Parameters<typeof fakeFetch>[0], overrides: Partial<ClientOptions> = {}) {
	const api = fakeFetch(route);
	const client = createClient({
		baseUrl,
		auth: { type: "bearer", store: memoryTokenStore({ accessToken, refreshToken }) },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { fetch: api.fetch, retry: 0 },
		...overrides,
	});
	clients.push(client);
	return { client, api };
}

/** Everything a logger could print: JSON, util.inspect with causes, the message and the stack. */
function printed(error: unknown): string {
	const e = error as Error;
	return [JSON.stringify(error), inspect(error, { depth: 10, showHidden: false }), e.message, e.stack ?? ""].join("\n");
}

describe("a token echoed in WWW-Authenticate", () => {
	// error.challenge keeps error_description verbatim (challenge.ts SAFE_PARAMS) and redact() only scrubs `message` and
	// `data`; the InsufficientScopeError / StepUpRequiredError / UseDPoPNonceError paths do not call redact() at all.
	// A resource server that names the token it refused puts the bearer token into JSON.stringify(error).
	it("InsufficientScopeError.challenge does not carry the access token echoed in error_description", async () => {
		const { client } = bearer(
			(seen) =>
				new Response("{}", {
					status: 403,
					headers: {
						"www-authenticate": `Bearer error="insufficient_scope", scope="admin", error_description="token ${seen.headers.authorization?.slice(7)} lacks scope admin"`,
					},
				}),
		);
		const error = await client.get("admin").catch((caught: unknown) => caught);
		expect((error as Error).name).toBe("InsufficientScopeError");
		expect(printed(error)).not.toContain(accessToken);
	});
});

describe("a token echoed in a body that is not JSON", () => {
	// readJson() builds ResponseParseError with the first 1,000 characters as `data`, outside send(), so redact() never
	// sees it. A debug page or proxy error page that prints the request's Authorization header lands in the error.
	it("ResponseParseError.data does not carry the access token echoed in a 200 text body", async () => {
		const { client } = bearer(
			(seen) => new Response(`<html><pre>Authorization: ${seen.headers.authorization}</pre></html>`, { status: 200, headers: { "content-type": "text/html" } }),
		);
		const error = await client.get("debug").catch((caught: unknown) => caught);
		expect((error as Error).name).toBe("ResponseParseError");
		expect(printed(error)).not.toContain(accessToken);
	});
});

describe("a CSRF value echoed by a session-neutral 401", () => {
	// send() redacts with the request's headers (the CSRF value included), but the neutral / foreign 401 path calls
	// `redact(await foreignUnauthorized(…), tokens)` without them: in cookie mode there are no tokens, so nothing is
	// scrubbed and the CSRF value the server echoed goes into HttpError.data and message.
	it("an auth: \"neutral\" 401 in cookie mode does not carry the echoed CSRF value", async () => {
		const csrfValue = "csrf-value-0b9f3e41d2";
		const api = fakeFetch(
			(seen) => new Response(JSON.stringify({ message: `share link needs a password (csrf ${seen.headers["x-csrf-token"]})` }), { status: 401 }),
		);
		const client = fakeFetchClient(clients, api.fetch, {
			auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: () => csrfValue } },
			reauthenticate: () => undefined,
		});

		const error = await client.post("shares.info", { id: "s1" }, { auth: "neutral" }).catch((caught: unknown) => caught);
		expect(api.seen[0]?.headers["x-csrf-token"]).toBe(csrfValue);
		expect((error as { status?: number }).status).toBe(401);
		expect(printed(error)).not.toContain(csrfValue);
	});
});

describe("a token cut by the 300-character message cap", () => {
	// HttpError builds its message from serverMessage(data), which caps at 300 characters *before* redact() runs; a token
	// straddling the cut is no longer matched by redact(), so its first characters stay in the message.
	it("the first characters of an echoed token do not survive in HttpError.message", async () => {
		const { client } = bearer(() => Response.json({ message: `${"x".repeat(280)} bad token ${accessToken}` }, { status: 400 }));
		const error = await client.get("x").catch((caught: unknown) => caught);
		expect((error as Error).message).not.toContain(accessToken.slice(0, 9));
	});
});

describe("the refresh function's own error as `cause`", () => {
	// README: refresh should "throw an error with status 400/401, such as ky's HTTPError … throw … a 5xx error for a
	// network failure". The refresher wraps it as `cause` of the NetworkError / RefreshError the caller receives
	// (refresher.ts attemptOnce). ky's HTTPError holds `options.body` and `request`, i.e. the refresh token; mapTransportError
	// refuses ky errors as cause for exactly this reason, the refresher does not.
	it("a NetworkError from a failed refresh does not carry the refresh token through its cause (ky HTTPError)", async () => {
		const tokenEndpoint = fakeFetch(() => new Response("upstream down", { status: 503 }));
		const refresh: RefreshFunction = async ({ refreshToken: token, signal }) => {
			const data = await ky
				.post("https://id.example/oauth/token", {
					body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token ?? "" }),
					fetch: tokenEndpoint.fetch,
					retry: 0,
					signal,
				})
				.json<{ access_token: string }>();
			return { accessToken: data.access_token };
		};
		const { client } = bearer(() => new Response("{}", { status: 401 }), {
			auth: { type: "bearer", store: memoryTokenStore({ accessToken, refreshToken }), refresh, refreshRetry: { limit: 0 } },
		});

		const error = await client.get("me").catch((caught: unknown) => caught);
		expect((error as Error).name).toBe("NetworkError");
		expect(printed(error)).not.toContain(refreshToken);
	});
});
