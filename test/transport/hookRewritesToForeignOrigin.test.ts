// A beforeRequest hook (client option or per request) that sends the request to another origin: no Authorization and no
// CSRF value go with it. (Over real sockets: redirectToForeignOrigin.test.ts.)
import { describe, expect, it } from "vitest";
import { memoryTokenStore } from "../../src/index.js";
import { fakeServer, foreign, json, origin, useFakeServerClients } from "../helpers/headerRecordingFetch.js";

const client = useFakeServerClients();

describe("a beforeRequest hook that sends the request to another origin", () => {
	/** Rewrites every request under /api/export/ to the foreign origin, keeping method, headers and body. */
	const toForeign = async ({ request }: { request: Request }) => {
		const url = new URL(request.url);
		if (!url.pathname.startsWith("/api/export/")) return undefined;
		const body = request.method === "GET" || request.method === "HEAD" ? null : await request.clone().arrayBuffer();
		return new Request(new URL(url.pathname + url.search, foreign), { method: request.method, headers: request.headers, body });
	};

	it.each(["client option", "per request"] as const)("should send no Authorization to the rewritten origin (bearer, hook as %s)", async (where) => {
		const server = fakeServer(() => json({ ok: true }));
		const hooks = { beforeRequest: [toForeign] };
		const c = client(server.fetch, {
			auth: { type: "bearer", store: memoryTokenStore({ accessToken: "secret-at" }) },
			...(where === "client option" ? { ky: { hooks } } : {}),
		});
		const perRequest = where === "per request" ? { hooks } : {};
		await c.get("me", perRequest);
		await c.get("export/all", perRequest);
		await c.post("export/all", { format: "csv" }, perRequest);
		expect(server.seen.map((s) => [s.origin, s.method, s.authorization])).toEqual([
			[origin, "GET", "Bearer secret-at"],
			[foreign, "GET", null],
			[foreign, "POST", null],
		]);
	});

	it.each(["client option", "per request"] as const)("should send no CSRF header to the rewritten origin (cookie, hook as %s)", async (where) => {
		const server = fakeServer(() => json({ ok: true }));
		const hooks = { beforeRequest: [toForeign] };
		const c = client(server.fetch, {
			auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-1" } },
			...(where === "client option" ? { ky: { hooks } } : {}),
		});
		const perRequest = where === "per request" ? { hooks } : {};
		await c.post("documents.create", { title: "x" }, perRequest);
		await c.post("export/all", { format: "csv" }, perRequest);
		expect(server.seen.map((s) => [s.origin, s.csrf])).toEqual([
			[origin, "csrf-1"],
			[foreign, null],
		]);
	});
});

