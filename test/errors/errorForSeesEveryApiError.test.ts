// errorFor's contract: it sees every tokenflight error a request rejects with (HttpErrors, and the ones without a
// status: NetworkError, TimeoutError, ResponseParseError), never an AbortError and never what client.fetch returns.
// Outline's example maps NetworkError to its OfflineError / NetworkError through it.
import { describe, expect, it, vi } from "vitest";
import { createClient, NetworkError, NotFoundError, ResponseParseError, TimeoutError, type ApiError, type Client } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";

class AppError extends Error {
	constructor(readonly from: ApiError) {
		super(from.code);
	}
}

const { server, clients } = useRecordingServer();

function mapping(baseUrl = `${server.state.origin}/api/`) {
	const errorFor = vi.fn((error: ApiError) => new AppError(error));
	const client = createClient({ baseUrl, auth: { type: "cookie" }, tabs: false, errorFor });
	clients.push(client);
	return { client, errorFor };
}

describe("errorFor", () => {
	it("should see an HttpError", async () => {
		server.state.route = () => ({ status: 404, body: '{"message":"gone"}' });
		const error = await mapping().client.get("documents.info").catch((caught: unknown) => caught);
		expect((error as AppError).from).toBeInstanceOf(NotFoundError);
	});

	it("should see a NetworkError", async () => {
		const { client } = mapping("http://127.0.0.1:9/api/");
		const error = await client.get("documents.info").catch((caught: unknown) => caught);
		expect((error as AppError).from).toBeInstanceOf(NetworkError);
	});

	it("should see a TimeoutError", async () => {
		server.state.route = () => new Promise(() => undefined);
		const error = await mapping().client.get("slow", { timeout: 20 }).catch((caught: unknown) => caught);
		expect((error as AppError).from).toBeInstanceOf(TimeoutError);
	});

	it("should see a ResponseParseError", async () => {
		server.state.route = () => ({ status: 200, body: "{not json" });
		const error = await mapping().client.get("documents.info").catch((caught: unknown) => caught);
		expect((error as AppError).from).toBeInstanceOf(ResponseParseError);
	});

	it("should not see an abort, nor anything client.fetch answers", async () => {
		server.state.route = () => ({ status: 404, body: "{}" });
		const { client, errorFor } = mapping();
		const controller = new AbortController();
		controller.abort();
		await expect(client.get("documents.info", { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
		expect((await client.fetch(`${server.state.origin}/api/documents.info`)).status).toBe(404);
		expect(errorFor).not.toHaveBeenCalled();
	});
});
