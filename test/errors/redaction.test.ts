// One redaction for everything reachable from a thrown error (message, data, challenge, the cause chain, JSON,
// util.inspect, structuredClone): linear in the text and bounded, redacted first and capped after.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpError as SourceHttpError, ResponseParseError } from "../../src/errors.js";
import { HttpError, createClient, memoryTokenStore, oauthRefresh, type Client } from "../../src/index.js";
// Internal, with the error classes of the same build (the dist run swaps only the public entry).
import { createSecrets } from "../../src/request/secrets.js";
import { memoryStorage } from "../helpers/storage.js";

const accessToken = "opaque-access-token-5f1c2a9e77d04b";
const refreshToken = "opaque-refresh-token-9a8b7c6d5e4f";
const clientSecret = "client-secret-71e0c3b5aa";

/** The API and the token endpoint on one real node:http origin; `answer` decides each response. */
let answer: (path: string, body: string) => { status: number; body: string; type?: string } = () => ({ status: 200, body: "{}" });
let origin = "";
const server: Server = createServer((req, res) => {
	let body = "";
	req.on("data", (chunk: Buffer) => (body += chunk.toString()));
	req.on("end", () => {
		const { status, body: text, type } = answer(req.url ?? "", body);
		res.writeHead(status, { "content-type": type ?? "application/json" });
		res.end(text);
	});
});
beforeAll(async () => {
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

const clients: Client[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.dispose()));

function bearerClient(withRefresh = false) {
	const refresh = withRefresh ? oauthRefresh({ tokenEndpoint: `${origin}/oauth/token`, clientId: "spa", clientSecret }) : undefined;
	const client = createClient({
		baseUrl: `${origin}/api/`,
		auth: { type: "bearer", store: memoryTokenStore({ accessToken, refreshToken }), ...(refresh ? { refresh, refreshRetry: { limit: 0 } } : {}) },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		ky: { retry: 0 },
	});
	clients.push(client);
	return client;
}

/** Everything a logger or a postMessage could carry: JSON, util.inspect with causes, message, stack, a structured clone. */
function printed(error: unknown): string {
	const e = error as Error;
	return [JSON.stringify(error), inspect(error, { depth: 10 }), e.message, e.stack ?? "", inspect(structuredClone(error), { depth: 10 })].join("\n");
}

describe("a refresh token or client secret echoed by the token endpoint", () => {
	it("reaches nothing the thrown NetworkError holds, its cause chain included", async () => {
		answer = (path) =>
			path === "/oauth/token"
				? { status: 503, body: JSON.stringify({ error: "temporarily_unavailable", error_description: `cannot use ${refreshToken} for ${clientSecret} now` }) }
				: { status: 401, body: JSON.stringify({ error: "invalid_token" }) };
		const client = bearerClient(true);

		const error = await client.get("me").catch((caught: unknown) => caught);

		expect((error as Error).name).toBe("NetworkError");
		expect((error as Error).cause).toBeDefined();
		const text = printed(error);
		expect(text).not.toContain(refreshToken);
		expect(text).not.toContain(clientSecret);
		// The refresh function's error keeps what it was (name, status), never the endpoint's words.
		expect((error as Error).cause).toMatchObject({ name: "ServerError", status: 503 });
	});
});

describe("a token straddling the cap of a body that is not JSON", () => {
	it("leaves no prefix of the token in ResponseParseError.data", async () => {
		answer = () => ({ status: 200, type: "text/html", body: `${"x".repeat(1_000 - 16)}${accessToken}</pre>` });
		const client = bearerClient();

		const error = await client.get("debug").catch((caught: unknown) => caught);

		expect((error as Error).name).toBe("ResponseParseError");
		const data = (error as { data: string }).data;
		expect(data.startsWith("x".repeat(984))).toBe(true);
		expect(data).not.toContain(accessToken.slice(0, 8));
		expect(printed(error)).not.toContain(accessToken.slice(0, 8));
	});
});

describe("redaction of a long error body", () => {
	// The bound: an error built from a 1 MB body in < 20 ms (best of three, so a busy machine's hiccup is not it).
	const bestOf3 = (build: () => unknown) => {
		const times = [0, 1, 2].map(() => {
			const start = performance.now();
			build();
			return performance.now() - start;
		});
		return Math.min(...times);
	};

	it.each([
		["a run of word characters", "a".repeat(1_000_000)],
		["dotted runs that are almost JWTs", "abcdefghij.abc.".repeat(66_667)],
		["one dotted run of JWT-long segments", "abcdefghij.".repeat(90_910)],
		["text with a JWT at the end", `${"word ".repeat(200_000)}eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ`],
	])("builds an HttpError from a 1 MB message of %s in under 20 ms, JWTs blanked", (_, message) => {
		const elapsed = bestOf3(() => new HttpError(400, { data: { message } }));
		console.info(`HttpError from a ${message.length}-character message: ${elapsed.toFixed(2)} ms`);
		expect(elapsed).toBeLessThan(20);
		expect(new HttpError(400, { data: { message } }).message).not.toMatch(/eyJ/);
	});

	it("redacts an HttpError and a ResponseParseError from a 1 MB body with 16 secrets remembered in under 20 ms", () => {
		const secrets = createSecrets();
		const remembered = Array.from({ length: 16 }, (_, i) => `secret-value-${i}-${"k".repeat(20)}`);
		secrets.remember({ accessToken: remembered[0]!, refreshToken: remembered[1]! }, remembered.slice(2).map((value) => ["x-csrf-token", value] as [string, string]));
		const body = `${"a".repeat(500_000)} ${remembered[7]} ${"b ".repeat(250_000)}`;
		const asJson = bestOf3(() => secrets.redact(new SourceHttpError(400, { data: { message: body } })));
		const asText = bestOf3(() => secrets.redact(new ResponseParseError({ data: body })));
		console.info(`redaction of a 1 MB body, 16 secrets: HttpError ${asJson.toFixed(2)} ms, ResponseParseError ${asText.toFixed(2)} ms`);
		expect(asJson).toBeLessThan(20);
		expect(asText).toBeLessThan(20);
		const parsed = secrets.redact(new ResponseParseError({ data: body }));
		expect(parsed.data).toHaveLength(1_000);
		expect(JSON.stringify(secrets.redact(new SourceHttpError(400, { data: { message: body } })))).not.toContain(remembered[7]);
	});

	it("rejects a client request answered by a 400 with a 1 MB message, the message capped and the token blanked", async () => {
		answer = () => ({ status: 400, body: JSON.stringify({ message: `${"a".repeat(1_000_000)} ${accessToken}` }) });
		const client = bearerClient();

		const error = await client.get("x").catch((caught: unknown) => caught);

		expect(error).toBeInstanceOf(HttpError);
		expect((error as Error).message.length).toBeLessThan(400);
		expect(printed(error)).not.toContain(accessToken);
	});
});
