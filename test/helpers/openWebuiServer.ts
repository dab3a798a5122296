// A node:http server shaped like Open WebUI's chat and tool path (backend/open_webui/main.py, utils/middleware.py,
// utils/tools.py, utils/oauth.py):
// - `POST /api/chat/completions` with a session id (the socket's) answers 200 `{"status": true, "task_id": …}` at once;
//   the completion, tool calls included, runs afterwards and its events go out over the socket.
// - A tool server configured with `auth_type: "system_oauth"` gets the user's OAuth access token, looked up by the
//   `oauth_session_id` cookie (`get_oauth_token(user.id, session_id)`). When that row is gone (seed 004: a login on
//   another device deleted it), no Authorization header goes, the tool server answers 401, and execute_tool_server
//   turns it into the tool result `{"error": "HTTP error 401: {\"detail\":\"Missing Authorization header\"}"}`.
// The socket is an in-process event list here: `emit` delivers an event when the test says the network delivered it.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ToolEvent = { chatId: string; type: "chat:completion"; data: { tool_result: unknown } };

export function openWebuiServer() {
	const oauthSessions = new Set<string>();
	const pending: ToolEvent[] = [];
	const state = { origin: "", completions: 0 };
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (chunk: Buffer) => chunks.push(chunk));
		req.on("end", () => {
			const oauthSessionId = /(?:^|;\s*)oauth_session_id=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
			if (req.url === "/api/chat/completions" && req.method === "POST") {
				state.completions++;
				const { chat_id: chatId } = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { chat_id: string };
				// The tool call runs after the answer: its outcome reaches the page over the socket.
				const toolResult = oauthSessionId && oauthSessions.has(oauthSessionId) ? { result: "42" } : { error: 'HTTP error 401: {"detail":"Missing Authorization header"}' };
				pending.push({ chatId, type: "chat:completion", data: { tool_result: toolResult } });
				res.writeHead(200, { "content-type": "application/json" });
				res.end(JSON.stringify({ status: true, task_id: randomUUID() }));
				return;
			}
			res.writeHead(404, { "content-type": "application/json" });
			res.end('{"detail":"Not Found"}');
		});
	});
	return {
		state,
		/** An OIDC login: a fresh oauth_session row and its cookie. */
		login() {
			const id = randomUUID();
			oauthSessions.add(id);
			return { cookie: `oauth_session_id=${id}` };
		},
		/** Another device's login deleted every OAuth session of the user (seed 004). */
		deleteOAuthSessions: () => oauthSessions.clear(),
		/** The socket event about `chatId`, delivered now. */
		deliver(chatId: string): ToolEvent {
			const index = pending.findIndex((event) => event.chatId === chatId);
			return pending.splice(index, 1)[0]!;
		},
		async listen() {
			oauthSessions.clear();
			pending.length = 0;
			await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
			state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
