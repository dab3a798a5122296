// A DPoP proof is a credential for as long as it is fresh: a server that echoes it in an error body must not hand it to
// whatever logs the error.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createDPoP } from "../../src/dpop/index.js";
import { HttpError, memoryTokenStore } from "../../src/index.js";
import { twoOrigins } from "../helpers/redirectServers.js";

const { trusted, makeClient } = twoOrigins();

describe("a DPoP proof echoed in an error body", () => {
	it("appears nowhere in the HttpError: its data, JSON, util.inspect, message or stack", async () => {
		trusted.state.route = (seen) => ({ status: 400, body: JSON.stringify({ error: "bad_request", proof: seen.headers.dpop, detail: `refused proof ${String(seen.headers.dpop)}` }) });
		const { client } = makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" }), dpop: createDPoP({ storage: "memory" }) });

		const error = await client.get("me").catch((caught: unknown) => caught);

		const proof = String(trusted.state.seen[0]?.headers.dpop);
		expect(proof.split(".")).toHaveLength(3);
		expect(error).toBeInstanceOf(HttpError);
		const e = error as HttpError;
		const printed = [JSON.stringify(e), JSON.stringify(e.data), inspect(e, { depth: 10 }), e.message, e.stack ?? ""].join("\n");
		expect(printed).not.toContain(proof);
		expect(e.data).toMatchObject({ error: "bad_request", proof: "[redacted]" });
	});
});
