// `redirect: "manual"` asks to see the redirect: the 302 is the caller's answer, not a sign of a dead session.
import { describe, expect, it } from "vitest";
import type { Client } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { ssoClient } from "../helpers/classifier.js";

const { server, clients } = useRecordingServer();

describe("a redirect the caller asked to see", () => {
	it("should resolve request() with the 302 and leave the session alone", async () => {
		server.state.route = () => ({ status: 302, headers: { location: "https://storage.example/file.pdf" } });
		const { client, reauthenticate } = ssoClient(server.state.origin);
		clients.push(client);
		const response = await client.request("attachments.redirect", { method: "POST", json: { id: "a" }, redirect: "manual" });
		expect(response.status).toBe(302);
		expect(response.headers.get("location")).toBe("https://storage.example/file.pdf");
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toBe("reauthenticating");
	});

	it("should resolve client.fetch with the 302 and leave the session alone", async () => {
		server.state.route = () => ({ status: 302, headers: { location: "/login" } });
		const { client, reauthenticate } = ssoClient(server.state.origin);
		clients.push(client);
		const response = await client.fetch(`${server.state.origin}/api/attachments.redirect?id=a`, { redirect: "manual" });
		expect(response.status).toBe(302);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("should still end the session for a redirect to a login page the caller did not ask to see", async () => {
		server.state.route = (seen) => (seen.path.startsWith("/api/") ? { status: 302, headers: { location: "/login" } } : { status: 200, headers: { "content-type": "text/html" }, body: "<html>login</html>" });
		const { client, reauthenticate } = ssoClient(server.state.origin);
		clients.push(client);
		void client.get("auth.info").catch(() => undefined);
		await expect.poll(() => reauthenticate.mock.calls.length).toBe(1);
	});
});
