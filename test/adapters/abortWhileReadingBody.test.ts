// fetch rejects as soon as its signal aborts, even while it is still reading a stream body; client.fetch too.
import { describe, expect, it } from "vitest";
import { twoOrigins } from "../helpers/redirectServers.js";
import { settledWithin, track } from "../helpers/async.js";

const { trusted, makeClient } = twoOrigins();

describe("client.fetch with a stream body that never ends", () => {
	it("rejects with the abort when its signal aborts", async () => {
		const { client } = makeClient({ type: "cookie" });
		const controller = new AbortController();
		// A stream that sends one chunk and then never ends.
		const body = new ReadableStream<Uint8Array>({ start: (stream) => stream.enqueue(new TextEncoder().encode("{")) });

		const result = track(client.fetch(`${trusted.state.origin}/api/upload`, { method: "POST", body, signal: controller.signal, duplex: "half" } as RequestInit));
		setTimeout(() => controller.abort(), 50);
		await settledWithin(result, 2_000);

		expect(result.status).toBe("rejected");
		expect((result.error as Error).name).toBe("AbortError");
	});
});
