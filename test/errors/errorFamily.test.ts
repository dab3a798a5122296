import { http, HttpResponse } from "msw";
import { inspect } from "node:util";
import { describe, expect, expectTypeOf, it } from "vitest";
import { outlineStatusMapping } from "../helpers/statusMapping.js";
import {
	ApiError,
	RateLimitError,
	ResponseParseError,
	createClient,
	isApiError,
	memoryTokenStore,
	type ApiErrorCode,
} from "../../src/index.js";
import { baseUrl, origin } from "../helpers/backend.js";
import { useMswServer } from "../helpers/msw.js";

const server = useMswServer();

function client() {
	return createClient({ baseUrl, auth: { type: "bearer", store: memoryTokenStore({ accessToken: "very-secret-token" }) }, tabs: false, ky: { retry: 0 } });
}

function answer(status: number, body: string | object, headers: Record<string, string> = {}) {
	server.use(
		http.all(`${origin}/api/thing`, () =>
			typeof body === "string" ? new HttpResponse(body, { status, headers }) : HttpResponse.json(body, { status, headers }),
		),
	);
}

describe("error family", () => {
	it.each(outlineStatusMapping)("should map %i to %o with code %s and the parsed body", async (status, type, code) => {
		answer(status, { error: "nope", message: "Nope" });
		const error = await client().post("thing", {}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(type);
		expect(error).toMatchObject({ status, code, data: { error: "nope", message: "Nope" } });
		expect(isApiError(error)).toBe(true);
	});

	it("should read Retry-After into retryAfterMs", async () => {
		answer(429, {}, { "retry-after": "7" });
		const error = (await client().get("thing").catch((e: unknown) => e)) as RateLimitError;
		expect(error.retryAfterMs).toBe(7_000);
	});

	it("should never show the token when an error is logged or serialized", async () => {
		answer(500, "boom");
		const error = await client().get("thing").catch((e: unknown) => e);
		expect(inspect(error, { depth: 10 })).not.toContain("very-secret-token");
		expect(JSON.stringify(error)).not.toContain("very-secret-token");
		expect((error as ApiError).request?.headers.get("authorization")).toBeNull();
		expect(Object.keys(error as object)).not.toContain("response");
	});

	it("should match errors from another realm by name and code", () => {
		expect(isApiError({ name: "NotFoundError", code: "NOT_FOUND" })).toBe(true);
		expect(isApiError(new Error("x"))).toBe(false);
		expect(isApiError({ name: "NotFoundError" })).toBe(false);
	});
});

describe("bodies", () => {
	it("should resolve a 204 to undefined", async () => {
		server.use(http.post(`${origin}/api/thing`, () => new HttpResponse(null, { status: 204 })));
		await expect(client().post("thing")).resolves.toBeUndefined();
	});

	it("should resolve an empty 200 body to undefined", async () => {
		answer(200, "");
		await expect(client().get("thing")).resolves.toBeUndefined();
	});

	it("should reject a non-JSON body with ResponseParseError, not a SyntaxError", async () => {
		answer(200, "<html>Maintenance</html>", { "content-type": "text/html" });
		const error = await client().get("thing").catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ResponseParseError);
		expect(error).toMatchObject({ code: "INVALID_RESPONSE", data: "<html>Maintenance</html>" });
	});

	it("should give the raw Response from request()", async () => {
		answer(200, "plain text");
		const response = await client().request("thing");
		expect(await response.text()).toBe("plain text");
	});

	it("should type the public API", () => {
		const typed = client();
		expectTypeOf<ReturnType<typeof typed.get<{ id: string }>>>().toEqualTypeOf<Promise<{ id: string }>>();
		expectTypeOf<RateLimitError["retryAfterMs"]>().toEqualTypeOf<number | undefined>();
		expectTypeOf<ApiError["code"]>().toEqualTypeOf<ApiErrorCode>();
		expectTypeOf(typed.session.getSnapshot().status).toEqualTypeOf<"unknown" | "authenticated" | "refreshing" | "reauthenticating" | "signedOut">();
	});
});
