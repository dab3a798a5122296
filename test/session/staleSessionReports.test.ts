// Open WebUI reports a dead OAuth session as a tool error over its socket, after the HTTP answer. A report about work
// sent before an in-place re-sign-in, arriving after it, is about the session that already ended: it is tied to the
// session generation read when the work was sent, and dropped when that generation has passed.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type Client } from "../../src/index.js";
import { openWebuiServer, type ToolEvent } from "../helpers/openWebuiServer.js";
import { memoryStorage } from "../helpers/storage.js";

const openWebui = openWebuiServer();
const clients: Client[] = [];
beforeEach(() => openWebui.listen());
afterEach(async () => {
	clients.splice(0).forEach((client) => client.dispose());
	await openWebui.close();
});

function openWebuiPage() {
	let cookie = openWebui.login().cookie;
	// An in-place OIDC sign-in (a popup): a new oauth_session row, a new cookie.
	const reauthenticate = vi.fn(async () => {
		cookie = openWebui.login().cookie;
	});
	const client = createClient({
		baseUrl: `${openWebui.state.origin}/api/`,
		auth: { type: "cookie" },
		reauthenticate,
		reloadGuard: { storage: memoryStorage(), history: null, maxAttempts: 2 },
		tabs: false,
		ky: { hooks: { beforeRequest: [({ request }) => void request.headers.set("cookie", cookie)] } },
	});
	clients.push(client);
	// The app's socket handler: a tool error is a dead OAuth session, reported with the stamp of the chat it is about.
	const stamps = new Map<string, number>();
	const send = async (chatId: string) => {
		stamps.set(chatId, client.session.generation);
		await client.post("chat/completions", { chat_id: chatId, model: "m" });
	};
	const onSocketEvent = (event: ToolEvent) => {
		if ((event.data.tool_result as { error?: string }).error?.startsWith("HTTP error 401")) {
			client.reportSessionEnded("oauth-session-lost", { generation: stamps.get(event.chatId)! });
		}
	};
	return { client, reauthenticate, send, onSocketEvent };
}

describe("reportSessionEnded with the generation of the work it is about", () => {
	it("should drop reports about chats sent before an in-place re-sign-in, however many arrive after it", async () => {
		const { client, reauthenticate, send, onSocketEvent } = openWebuiPage();
		openWebui.deleteOAuthSessions();
		await Promise.all(["a", "b", "c", "d"].map(send));

		onSocketEvent(openWebui.deliver("a"));
		await vi.waitFor(() => expect(client.session.getSnapshot().status).toBe("authenticated"));
		expect(reauthenticate).toHaveBeenCalledTimes(1);

		for (const late of ["b", "c", "d"]) onSocketEvent(openWebui.deliver(late));
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("should act on a report about work sent after the re-sign-in", async () => {
		const { client, reauthenticate, send, onSocketEvent } = openWebuiPage();
		openWebui.deleteOAuthSessions();
		await send("a");
		onSocketEvent(openWebui.deliver("a"));
		await vi.waitFor(() => expect(client.session.getSnapshot().status).toBe("authenticated"));

		openWebui.deleteOAuthSessions();
		await send("e");
		onSocketEvent(openWebui.deliver("e"));
		await vi.waitFor(() => expect(reauthenticate).toHaveBeenCalledTimes(2));
	});

	it("should take a generation that is not an integer as a TypeError naming it", () => {
		const { client } = openWebuiPage();
		expect(() => client.reportSessionEnded("unauthorized", { generation: Number.NaN })).toThrow(/reportSessionEnded's generation.*NaN/);
	});

	it("should keep reportSessionEnded(reason) without a generation about the current session", async () => {
		const { client, reauthenticate } = openWebuiPage();
		const before = client.session.generation;
		client.reportSessionEnded("unauthorized");
		await vi.waitFor(() => expect(client.session.getSnapshot().status).toBe("authenticated"));
		expect(reauthenticate).toHaveBeenCalledTimes(1);
		expect(client.session.generation).toBe(before + 1);
	});
});
