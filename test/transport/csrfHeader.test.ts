// Cookie mode sends the CSRF header on every method that can change state: all but GET, HEAD and OPTIONS (and TRACE,
// which fetch cannot send), WebDAV methods included.
import { describe, expect, it } from "vitest";
import { fakeServer, useFakeServerClients } from "../helpers/headerRecordingFetch.js";

const client = useFakeServerClients();

describe("the CSRF header on every method but GET, HEAD, OPTIONS and TRACE", () => {
	const csrfClient = () => {
		const server = fakeServer((request) => new Response(request.method === "HEAD" ? null : "{}", { status: 200 }));
		const c = client(server.fetch, { auth: { type: "cookie", csrf: { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-1" } } });
		return { server, c };
	};

	it.each(["MKCOL", "MOVE", "PROPPATCH", "PURGE", "LOCK", "COPY"])("should send the CSRF header with %s", async (method) => {
		const { server, c } = csrfClient();
		await c.request("dav/folder", { method });
		expect(server.seen).toHaveLength(1);
		expect(server.seen[0]).toMatchObject({ method, csrf: "csrf-1" });
	});

	it("should leave it off exactly GET, HEAD and OPTIONS (TRACE cannot be sent by fetch)", async () => {
		const { server, c } = csrfClient();
		const methods = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "MKCOL", "MOVE", "PROPPATCH", "PURGE", "REPORT"];
		for (const method of methods) await c.request("dav/folder", { method });
		expect(Object.fromEntries(server.seen.map((s) => [s.method, s.csrf]))).toEqual(
			Object.fromEntries(methods.map((method) => [method, ["GET", "HEAD", "OPTIONS"].includes(method) ? null : "csrf-1"])),
		);
	});
});

