import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { RefreshError, classifyRefreshError, oauthRefresh } from "../../src/index.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();
const tokenEndpoint = "https://idp.example/token";
const signal = new AbortController().signal;

function respond(status: number, body: unknown) {
	const seen: URLSearchParams[] = [];
	server.use(
		http.post(tokenEndpoint, async ({ request }) => {
			seen.push(new URLSearchParams(await request.text()));
			return typeof body === "string" ? new HttpResponse(body, { status }) : HttpResponse.json(body as object, { status });
		}),
	);
	return seen;
}

describe("oauthRefresh", () => {
	it("should send the RFC 6749 refresh grant and map the response", async () => {
		const seen = respond(200, { access_token: "at", token_type: "bearer", expires_in: 60, refresh_token: "rt2" });
		const tokens = await oauthRefresh({ tokenEndpoint, clientId: "spa", now: () => 1_000 })({ refreshToken: "rt1", signal });
		expect(Object.fromEntries(seen[0]!)).toEqual({ grant_type: "refresh_token", refresh_token: "rt1", client_id: "spa" });
		expect(tokens).toEqual({ accessToken: "at", refreshToken: "rt2", expiresAt: 61_000 });
	});

	it("should reject invalid_grant as unrecoverable without echoing the body", async () => {
		respond(400, { error: "invalid_grant", error_description: "Token is not active", refresh_token: "leak" });
		const error = await oauthRefresh({ tokenEndpoint, clientId: "spa" })({ refreshToken: "rt1", signal }).catch((e: unknown) => e);
		expect(classifyRefreshError(error)).toBe("rejected");
		expect((error as { data: unknown }).data).toEqual({ error: "invalid_grant", error_description: "Token is not active" });
	});

	it("should reject a 503 as retryable", async () => {
		respond(503, "<html>down</html>");
		const error = await oauthRefresh({ tokenEndpoint, clientId: "spa" })({ refreshToken: "rt1", signal }).catch((e: unknown) => e);
		expect(classifyRefreshError(error)).toBe("network");
	});

	it.each([
		["non-JSON", "<html>hi</html>"],
		["no access_token", { token_type: "Bearer" }],
		["a wrong token_type", { access_token: "a", token_type: "DPoP" }],
		["a negative expires_in", { access_token: "a", token_type: "Bearer", expires_in: -1 }],
	])("should reject %s with RefreshError", async (_, body) => {
		respond(200, body);
		const error = await oauthRefresh({ tokenEndpoint, clientId: "spa" })({ refreshToken: "rt1", signal }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(RefreshError);
		expect(classifyRefreshError(error)).toBe("invalid");
	});

	it("should return null when there is no refresh token to send", async () => {
		await expect(oauthRefresh({ tokenEndpoint, clientId: "spa" })({ refreshToken: undefined, signal })).resolves.toBeNull();
	});

	it("should use HTTP Basic for a confidential client", async () => {
		let authorization: string | null = null;
		server.use(
			http.post(tokenEndpoint, ({ request }) => {
				authorization = request.headers.get("authorization");
				return HttpResponse.json({ access_token: "a", token_type: "Bearer" });
			}),
		);
		await oauthRefresh({ tokenEndpoint, clientId: "app id", clientSecret: "s&cret" })({ refreshToken: "r", signal });
		expect(authorization).toBe(`Basic ${btoa("app+id:s%26cret")}`);
	});
});
