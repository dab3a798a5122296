// One recording server per test (listening in beforeEach, closed in afterEach), and the clients a test made, disposed
// after it.
import { afterEach, beforeEach } from "vitest";
import type { Client } from "../../src/index.js";
import { recordingServer } from "./recordingServer.js";

export function useRecordingServer() {
	const server = recordingServer();
	const clients: Client[] = [];
	beforeEach(() => server.listen());
	afterEach(async () => {
		clients.splice(0).forEach((client) => client.dispose());
		await server.close();
	});
	return { server, clients };
}
