// A body that can only be read once (a ReadableStream) cannot be sent again after a refresh: the request rejects with
// a typed error that says so, never a NetworkError made up from sending an empty, consumed stream.
import { describe, expect, it, vi } from "vitest";
import { BodyNotReplayableError, NetworkError, memoryTokenStore, type RefreshFunction } from "../../src/index.js";
import { streamOf, twoOrigins } from "../helpers/redirectServers.js";

const { trusted, makeClient } = twoOrigins();

describe("post() with a stream body answered 401", () => {
	it("refreshes, then rejects with BodyNotReplayableError rather than re-sending the consumed stream", async () => {
		trusted.state.route = (seen) => (seen.headers.authorization === "Bearer at-2" ? { status: 200, body: "{}" } : { status: 401, body: JSON.stringify({ error: "invalid_token" }) });
		const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: "at-2", refreshToken: "rt-2" }));
		const { client } = makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" }), refresh });
		const body = streamOf("chunk");

		const error = await client.post("upload", body, { headers: { "content-type": "application/octet-stream" } }).catch((caught: unknown) => caught);

		expect(error).toBeInstanceOf(BodyNotReplayableError);
		expect(error).not.toBeInstanceOf(NetworkError);
		expect((error as Error).message).toMatch(/stream|sent again|replay/i);
		expect(refresh).toHaveBeenCalledTimes(1);
		expect(trusted.state.seen.map((seen) => [seen.method, seen.body])).toEqual([["POST", "chunk"]]);
	});
});
