// `dedupe` shares one answer among requests that would get the same answer, and only those: a timeout, a body's type
// (its Content-Type), a header, retry or hooks each change what a caller gets.
import { beforeEach, describe, expect, it } from "vitest";
import { createClient, TimeoutError, type Client } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";

const { server, clients } = useRecordingServer();
beforeEach(() => {
	server.state.route = (seen) => ({ status: 200, body: JSON.stringify({ contentType: seen.headers["content-type"] ?? null, body: seen.body }) });
});

function deduping() {
	const client = createClient({ baseUrl: `${server.state.origin}/api/`, auth: { type: "cookie" }, dedupe: true, tabs: false });
	clients.push(client);
	return client;
}

describe("dedupe", () => {
	it("should not fail a caller without a timeout because an identical caller set one", async () => {
		const client = deduping();
		let release: () => void = () => undefined;
		const held = new Promise<void>((resolve) => (release = resolve));
		server.state.route = async () => {
			await held;
			return { status: 200, body: '{"slow":true}' };
		};
		const withTimeout = client.get("slow", { timeout: 50 });
		const without = client.get("slow");
		await expect(withTimeout).rejects.toBeInstanceOf(TimeoutError);
		release();
		await expect(without).resolves.toEqual({ slow: true });
	});

	it("should not share one answer between a string body and a URLSearchParams body of the same text", async () => {
		const client = deduping();
		const [text, form] = await Promise.all([
			client.request("echo", { method: "POST", body: "a=1" }).then((response) => response.json()),
			client.request("echo", { method: "POST", body: new URLSearchParams("a=1") }).then((response) => response.json()),
		]);
		expect(text).toMatchObject({ contentType: "text/plain;charset=UTF-8" });
		expect(form).toMatchObject({ contentType: "application/x-www-form-urlencoded;charset=UTF-8" });
		expect(server.state.seen).toHaveLength(2);
	});

	it("should still share one answer among requests that are the same in every option", async () => {
		const client = deduping();
		const [one, two] = await Promise.all([
			client.request("echo", { method: "POST", body: "a=1", timeout: 5_000, headers: { "x-a": "1" } }),
			client.request("echo", { method: "POST", body: "a=1", timeout: 5_000, headers: { "x-a": "1" } }),
		]);
		expect(await one.json()).toEqual(await two.json());
		expect(server.state.seen).toHaveLength(1);
	});
});
