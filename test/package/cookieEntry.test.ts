// tokenflight/cookie: the same client for cookie sessions, without the bearer code.
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { AuthenticationError, createClient, type CookieClientOptions } from "../../src/cookie/index.js";
import { baseUrl, origin } from "../helpers/backend.js";
import { useMswServer } from "../helpers/msw.js";
import { memoryStorage } from "../helpers/storage.js";

const server = useMswServer();

describe("tokenflight/cookie", () => {
	it("sends cookies and the CSRF value, and re-authenticates once for concurrent 401s", async () => {
		const seen: (string | null)[] = [];
		server.use(
			http.post(`${origin}/api/documents.list`, ({ request }) => {
				seen.push(request.headers.get("x-csrf-token"));
				return new HttpResponse(null, { status: 401 });
			}),
		);
		const reauthenticate = vi.fn(() => undefined);
		const options: CookieClientOptions = {
			baseUrl,
			auth: { type: "cookie", csrf: { cookie: "csrf", header: "x-csrf-token", read: () => "c1" } },
			reauthenticate,
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
		};
		const client = createClient(options);
		const pending = [1, 2, 3].map(() => client.post("documents.list", {}));
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1));
		expect(seen).toEqual(["c1", "c1", "c1"]);
		client.dispose();
		for (const request of pending) await expect(request).rejects.toMatchObject({ name: "AbortError" });
	});

	it("refuses bearer auth with a TypeError naming the entry to use", () => {
		const bearer = { baseUrl, auth: { type: "bearer" } } as unknown as CookieClientOptions;
		expect(() => createClient(bearer)).toThrow(/import createClient from "tokenflight"/);
	});

	it("re-exports the rest of tokenflight", () => {
		expect(new AuthenticationError()).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
	});
});
