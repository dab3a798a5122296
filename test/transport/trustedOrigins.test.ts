import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { createClient, memoryTokenStore } from "../../src/index.js";
import { baseUrl, origin } from "../helpers/backend.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

type Seen = { authorization: string | null; credentials: RequestCredentials; csrf: string | null };

// msw's Node interceptor rebuilds requests without their `credentials` mode, so the mode is read where ky hands the request to fetch.
let lastCredentials: RequestCredentials | undefined;
const recordingFetch: typeof fetch = (input, init) => {
	lastCredentials = input instanceof Request ? input.credentials : init?.credentials;
	return fetch(input, init);
};

function recordAt(url: string, seen: Seen[]) {
	return http.all(url, ({ request }) => {
		seen.push({
			authorization: request.headers.get("authorization"),
			credentials: lastCredentials ?? "same-origin",
			csrf: request.headers.get("x-csrf-token"),
		});
		return HttpResponse.json({ ok: true });
	});
}

const clients: { dispose(): void }[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function bearer(trustedOrigins: string[] = []) {
	const client = createClient({
		baseUrl,
		auth: { type: "bearer", store: memoryTokenStore({ accessToken: "secret-at" }) },
		trustedOrigins,
		tabs: false,
		ky: { fetch: recordingFetch },
	});
	clients.push(client);
	return client;
}

describe("credentials only where trusted", () => {
	it("should send the bearer token to the base URL's origin", async () => {
		const seen: Seen[] = [];
		server.use(recordAt(`${origin}/api/me`, seen));
		await bearer().get("me");
		expect(seen[0]?.authorization).toBe("Bearer secret-at");
	});

	it("should send no token and no cookies to an untrusted origin", async () => {
		const seen: Seen[] = [];
		server.use(recordAt("https://evil.example/steal", seen));
		await bearer().get("https://evil.example/steal");
		expect(seen[0]).toMatchObject({ authorization: null, credentials: "omit" });
	});

	it("should treat a look-alike origin as untrusted", async () => {
		const seen: Seen[] = [];
		server.use(recordAt("https://app.example.evil.example/x", seen), recordAt("http://app.example/x", seen));
		const client = bearer();
		await client.get("https://app.example.evil.example/x");
		await client.get("http://app.example/x");
		expect(seen.map((s) => s.authorization)).toEqual([null, null]);
	});

	it("should send the token to an origin listed in trustedOrigins", async () => {
		const seen: Seen[] = [];
		server.use(recordAt("https://files.example/upload", seen));
		await bearer(["https://files.example"]).get("https://files.example/upload");
		expect(seen[0]?.authorization).toBe("Bearer secret-at");
	});

	it("should not send cookies with bearer requests unless asked (seed 000)", async () => {
		const seen: Seen[] = [];
		server.use(recordAt(`${origin}/api/notes`, seen));
		const client = bearer();
		await client.get("notes");
		await client.get("notes", { credentials: "include" });
		expect(seen.map((s) => s.credentials)).toEqual(["omit", "include"]);
	});

	it("should send nothing with auth: false even to the trusted origin", async () => {
		const seen: Seen[] = [];
		server.use(recordAt(`${origin}/api/auth.login`, seen));
		await bearer().post("auth.login", { user: "alice" }, { auth: false });
		expect(seen[0]).toMatchObject({ authorization: null, credentials: "omit" });
	});

	it("should include cookies and the CSRF header on unsafe methods in cookie mode, to trusted origins only", async () => {
		const seen: Seen[] = [];
		server.use(recordAt(`${origin}/api/documents.create`, seen), recordAt("https://cdn.example/x", seen));
		const client = createClient({
			baseUrl,
			auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: (name) => (name === "csrfToken" ? "csrf-1" : undefined) } },
			tabs: false,
			ky: { fetch: recordingFetch },
		});
		clients.push(client);
		await client.post("documents.create", { title: "x" });
		await client.get("documents.create");
		await client.post("https://cdn.example/x", {});
		expect(seen).toEqual([
			{ authorization: null, credentials: "include", csrf: "csrf-1" },
			{ authorization: null, credentials: "include", csrf: null },
			{ authorization: null, credentials: "omit", csrf: null },
		]);
	});

	it("should resolve paths with a leading slash under the base URL's path", async () => {
		const seen: Seen[] = [];
		server.use(recordAt(`${origin}/api/documents.list`, seen));
		await bearer().post("/documents.list", { limit: 25 });
		expect(seen).toHaveLength(1);
	});
});
