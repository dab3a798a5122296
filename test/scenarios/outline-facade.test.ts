// Outline's ApiClient, rebuilt on tokenflight: RPC-style POSTs under /api and its status → error mapping.
import { describe, expect, it } from "vitest";
import { outlineStatusMapping } from "../helpers/statusMapping.js";
import { isApiError, type HttpError } from "../../src/index.js";
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

	it.each(outlineStatusMapping)("should map Outline's %i to %o (%s)", async (status, type, code) => {
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
