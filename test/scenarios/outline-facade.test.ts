// Outline's ApiClient, rebuilt on tokenflight: RPC-style POSTs under /api and its status → error mapping.
import { describe, expect, it } from "vitest";
import { ForbiddenError, HttpError, NotFoundError, RateLimitError, ServerError, isApiError } from "../../src/index.js";
import { browserProfile, useMockBackend } from "../helpers/scenario.js";

const { mock } = useMockBackend();

describe("Outline-style facade", () => {
	it("should resolve client.post('/documents.list', { limit: 25 }) to the parsed JSON", async () => {
		const profile = browserProfile();
		await profile.signIn(mock.login("alice"));
		const { client } = profile.load();
		const response = await client.post<{ data: { title: string; ownerId: string }[] }>("/documents.list", { limit: 25 });
		expect(response.data.map((document) => document.title)).toEqual(["Welcome", "Onboarding checklist", "Meeting notes"]);
		expect(response.data.every((document) => document.ownerId === "alice")).toBe(true);
	});

	// Outline: 400 BadRequest, 402 PaymentRequired, 403 Authorization, 404 NotFound, 422 Validation,
	// 429 RateLimited, 499 Offline/ClientClosed, 502 BadGateway, 503 ServiceUnavailable.
	it.each([
		[400, HttpError, "BAD_REQUEST"],
		[402, HttpError, "PAYMENT_REQUIRED"],
		[403, ForbiddenError, "FORBIDDEN"],
		[404, NotFoundError, "NOT_FOUND"],
		[422, HttpError, "UNPROCESSABLE"],
		[429, RateLimitError, "RATE_LIMITED"],
		[499, HttpError, "CLIENT_CLOSED_REQUEST"],
		[502, ServerError, "SERVER_ERROR"],
		[503, ServerError, "SERVER_ERROR"],
	] as const)("should map Outline's %i to %o (%s)", async (status, type, code) => {
		const profile = browserProfile();
		await profile.signIn(mock.login("alice"));
		const { client, reauthenticate } = profile.load({ ky: { retry: 0 } });
		mock.failNext("documents.list", status);
		const error = await client.post("/documents.list", { limit: 25 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(type);
		expect(isApiError(error) && error.code).toBe(code);
		expect((error as HttpError).status).toBe(status);
		expect(reauthenticate).not.toHaveBeenCalled();
	});
});
