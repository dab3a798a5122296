// A redirect tokenflight follows by hand (a request carrying a CSRF value or a DPoP proof) is as visible to the
// `sessionEnded` classifier as one fetch follows: the final response says where it came from, and the context lists
// every hop.
import { describe, expect, it, vi } from "vitest";
import { answeredFromOutside, type SessionEnded, type SessionEndedContext } from "../../src/index.js";
import { twoOrigins } from "../helpers/redirectServers.js";

const { trusted, foreign, makeClient } = twoOrigins();
const csrf = { cookie: "csrfToken", header: "x-csrf-token", read: () => "csrf-secret-1" };

describe("a cookie-mode POST redirected to a login page on another origin", () => {
	it("is a dead session under answeredFromOutside(), not the API's answer", async () => {
		trusted.state.route = (seen) =>
			seen.path === "/api/documents.update" ? { status: 302, headers: { location: `${foreign.state.origin}/login?next=%2F` } } : { status: 200, body: "{}" };
		foreign.state.route = () => ({ status: 200, body: JSON.stringify({ login: true }) });
		const { client, reauthenticate } = makeClient({ type: "cookie", csrf }, { sessionEnded: answeredFromOutside() });

		const settled = await Promise.race([
			client.post("documents.update", { id: "d1", text: "x" }).then((value) => ({ value })),
			vi.waitFor(() => expect(reauthenticate).toHaveBeenCalled(), { timeout: 2_000 }).then(() => ({ reauthenticating: true })),
		]);

		expect(settled).toEqual({ reauthenticating: true });
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(client.session.getSnapshot().status).toBe("reauthenticating");
		// The 302 turned the POST into a GET: nothing was written twice.
		expect(trusted.state.seen.filter((seen) => seen.method === "POST")).toHaveLength(1);
	});

	it("hands the classifier every hop and a response that says where it ended", async () => {
		trusted.state.route = (seen) =>
			seen.path === "/api/documents.update" ? { status: 307, headers: { location: "/api/documents.update/v2" } } : seen.path === "/api/documents.update/v2" ? { status: 302, headers: { location: `${foreign.state.origin}/login` } } : { status: 200, body: "{}" };
		const seen: { response: { url: string; redirected: boolean } | undefined; context: SessionEndedContext }[] = [];
		const sessionEnded: SessionEnded = (response, context) => {
			seen.push({ response: response && { url: response.url, redirected: response.redirected }, context });
			return false;
		};
		const { client } = makeClient({ type: "cookie", csrf }, { sessionEnded });

		await client.post("documents.update", { id: "d1" });

		expect(seen).toHaveLength(1);
		expect(seen[0]?.response).toEqual({ url: `${foreign.state.origin}/login`, redirected: true });
		expect(seen[0]?.context.redirects).toEqual([
			{ url: `${trusted.state.origin}/api/documents.update`, method: "POST", status: 307, location: `${trusted.state.origin}/api/documents.update/v2` },
			{ url: `${trusted.state.origin}/api/documents.update/v2`, method: "POST", status: 302, location: `${foreign.state.origin}/login` },
		]);
	});
});

describe("a 401 at the end of a redirect chain followed by hand within the trusted origins", () => {
	it("is the session's 401: every hop carried the session's credentials", async () => {
		trusted.state.route = (seen) => (seen.path === "/api/documents.update" ? { status: 307, headers: { location: "/api/documents.update/v2" } } : { status: 401, body: JSON.stringify({ error: "authentication_required" }) });
		const { client, reauthenticate } = makeClient({ type: "cookie", csrf });

		void client.post("documents.update", { id: "d1" }).catch(() => undefined);
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(1), { timeout: 2_000 });

		expect(trusted.state.seen.map((seen) => [seen.method, seen.path, seen.headers["x-csrf-token"]])).toEqual([
			["POST", "/api/documents.update", "csrf-secret-1"],
			["POST", "/api/documents.update/v2", "csrf-secret-1"],
		]);
	});
});
