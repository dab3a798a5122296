// The classifier reads bodies: Open WebUI's dead OAuth session shows as a tool error inside a 200 chat completion
// (execute_tool_server in backend/open_webui/utils/tools.py turns the tool server's 401 into `{"error": "HTTP error
// 401: …"}`), and Outline's README recipe matches `user_suspended` / `editor_update_required` in the error body, also
// under its ApiClient, which calls `client.fetch`. `context.data` is the parsed body of every JSON answer, and the
// caller still reads its own.
import { describe, expect, it, vi } from "vitest";
import type { Client, SessionEnded } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { ssoClient } from "../helpers/classifier.js";

const { server, clients } = useRecordingServer();

const toolError = { error: 'HTTP error 401: {"detail":"Missing Authorization header"}' };
const completion = (toolResult: unknown) => JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "…" } }], tool_results: [toolResult] });
const lostOAuthSession: SessionEnded = (_response, context) =>
	(context.data as { tool_results?: { error?: string }[] } | undefined)?.tool_results?.some((result) => result.error?.startsWith("HTTP error 401")) ? "oauth-session-lost" : false;

describe("a 2xx JSON answer", () => {
	it("should reach the classifier parsed, which can end the session on it", async () => {
		server.state.route = () => ({ status: 200, body: completion(toolError) });
		const { client, reauthenticate } = ssoClient(server.state.origin, { sessionEnded: lostOAuthSession });
		clients.push(client);
		void client.get("chats/1").catch(() => undefined);
		await expect.poll(() => reauthenticate.mock.calls).toEqual([["oauth-session-lost"]]);
	});

	it("should leave the caller's body readable when the classifier lets it through", async () => {
		server.state.route = () => ({ status: 200, body: completion({ result: "42" }) });
		const seen = vi.fn<SessionEnded>(() => false);
		const { client } = ssoClient(server.state.origin, { sessionEnded: seen });
		clients.push(client);
		const response = await client.request("chat/completions", { method: "POST", json: { model: "m" } });
		expect(await response.json()).toMatchObject({ tool_results: [{ result: "42" }] });
		expect(seen.mock.calls[0]![1].data).toMatchObject({ tool_results: [{ result: "42" }] });
		await expect(client.post("chat/completions", { model: "m" })).resolves.toMatchObject({ id: "chatcmpl-1" });
	});

	it("should reach the classifier through client.fetch too", async () => {
		server.state.route = () => ({ status: 200, body: completion(toolError) });
		const { client, reauthenticate } = ssoClient(server.state.origin, { sessionEnded: lostOAuthSession });
		clients.push(client);
		void client.fetch(`${server.state.origin}/api/chat/completions`, { method: "POST", body: "{}" }).catch(() => undefined);
		await expect.poll(() => reauthenticate.mock.calls).toEqual([["oauth-session-lost"]]);
	});
});

describe("an error body through client.fetch", () => {
	it.each(["user_suspended", "editor_update_required"])("should reach the classifier parsed, so the README recipe matches %s", async (code) => {
		server.state.route = () => ({ status: code === "user_suspended" ? 403 : 400, body: JSON.stringify({ ok: false, error: code, status: 403 }) });
		const { client, reauthenticate } = ssoClient(server.state.origin, {
			sessionEnded: (_response, context) => ((context.data as { error?: string } | undefined)?.error === code ? code : false),
		});
		clients.push(client);
		void client.fetch(`${server.state.origin}/api/auth.info`, { method: "POST", headers: { accept: "application/json" } }).catch(() => undefined);
		await expect.poll(() => reauthenticate.mock.calls).toEqual([[code]]);
	});
});
