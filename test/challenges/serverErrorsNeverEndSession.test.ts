// README: "Timeouts, 5xx answers and offline moments never sign anyone out." A reverse proxy's 502 page is HTML where
// JSON was asked for, which the SSO recipe otherwise reads as a dead session: a 5xx is a ServerError whatever its body.
import { describe, expect, it } from "vitest";
import { ServerError, type Client } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { proxyErrorPage, ssoClient } from "../helpers/classifier.js";

const { server, clients } = useRecordingServer();

describe("a 5xx answer under the SSO recipe", () => {
	it("should reject with ServerError and leave the session alone, three times in a row", async () => {
		server.state.route = () => ({ status: 502, headers: { "content-type": "text/html" }, body: proxyErrorPage });
		const { client, reauthenticate, onSignedOut } = ssoClient(server.state.origin);
		clients.push(client);
		for (let attempt = 0; attempt < 3; attempt++) {
			const error = await client.get("documents.list").catch((caught: unknown) => caught);
			expect(error).toBeInstanceOf(ServerError);
			expect(error).toMatchObject({ status: 502, code: "SERVER_ERROR" });
		}
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(onSignedOut).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).not.toMatch(/reauthenticating|signedOut/);
	});

	it("should never be classified, even by a classifier that matches its body", async () => {
		server.state.route = () => ({ status: 503, body: '{"error":"user_suspended"}' });
		const { client, reauthenticate } = ssoClient(server.state.origin, {
			sessionEnded: (_response, context) => ((context.data as { error?: string } | undefined)?.error === "user_suspended" ? "user_suspended" : false),
		});
		clients.push(client);
		await expect(client.post("documents.update", { id: 1 })).rejects.toBeInstanceOf(ServerError);
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("should resolve through client.fetch as the 502 it is", async () => {
		server.state.route = () => ({ status: 502, headers: { "content-type": "text/html" }, body: proxyErrorPage });
		const { client, reauthenticate } = ssoClient(server.state.origin);
		clients.push(client);
		const response = await client.fetch(`${server.state.origin}/api/documents.list`, { method: "POST", headers: { accept: "application/json" } });
		expect(response.status).toBe(502);
		expect(await response.text()).toBe(proxyErrorPage);
		expect(reauthenticate).not.toHaveBeenCalled();
	});
});
