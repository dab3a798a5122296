// Outline asks `Accept: application/json, text/html` for its HTML export: the HTML it gets is the answer it asked for.
// Only an Accept that leaves HTML out makes an HTML answer a sign of a dead session.
import { describe, expect, it } from "vitest";
import type { Client } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { ssoClient } from "../helpers/classifier.js";

const { server, clients } = useRecordingServer();

const exported = "<!doctype html><html><body><h1>Roadmap</h1></body></html>";

describe("an HTML answer under the SSO recipe", () => {
	it.each(["application/json, text/html", "application/json, text/*;q=0.5", "application/json, */*"])("should reach the caller of request() when Accept is %s", async (accept) => {
		server.state.route = () => ({ status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: exported });
		const { client, reauthenticate } = ssoClient(server.state.origin);
		clients.push(client);
		const response = await client.request("documents.export", { method: "POST", json: { id: "doc" }, headers: { accept } });
		expect(await response.text()).toBe(exported);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("should reach the caller of client.fetch when Accept names HTML beside JSON", async () => {
		server.state.route = () => ({ status: 200, headers: { "content-type": "text/html" }, body: exported });
		const { client, reauthenticate } = ssoClient(server.state.origin);
		clients.push(client);
		const response = await client.fetch(`${server.state.origin}/api/documents.export`, { method: "POST", headers: { accept: "application/json, text/html" } });
		expect(await response.text()).toBe(exported);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it.each(["application/json", "application/json, text/html;q=0"])("should still end the session when Accept is %s", async (accept) => {
		server.state.route = () => ({ status: 200, headers: { "content-type": "text/html" }, body: "<html>login</html>" });
		const { client, reauthenticate } = ssoClient(server.state.origin);
		clients.push(client);
		void client.request("documents.list", { method: "POST", headers: { accept } }).catch(() => undefined);
		await expect.poll(() => reauthenticate.mock.calls.length).toBe(1);
		expect(client.session.getSnapshot().status).toBe("reauthenticating");
	});
});
