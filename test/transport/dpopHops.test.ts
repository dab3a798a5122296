// A request signed with DPoP is followed by hand: each hop to a trusted origin gets its own proof, for that hop's
// method and URL with a fresh jti, and no proof leaves for another origin. A body that cannot be sent again (a stream)
// is not buffered for a 307/308: that hop is a typed error.
import { describe, expect, it } from "vitest";
import { createDPoP } from "../../src/dpop/index.js";
import { BodyNotReplayableError, memoryTokenStore } from "../../src/index.js";
import { athOf, verifyProof } from "../helpers/verifyProof.js";
import { streamOf, twoOrigins } from "../helpers/redirectServers.js";

const { trusted, foreign, makeClient } = twoOrigins();

function dpopClient() {
	const dpop = createDPoP({ storage: "memory" });
	return makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-dpop-1" }), dpop });
}

async function proofOf(seen: { headers: Record<string, unknown> }) {
	const proof = seen.headers["dpop"];
	return typeof proof === "string" ? (await verifyProof(proof)).claims : undefined;
}

describe("a DPoP-signed request that is redirected", () => {
	it("sends no proof and no token to the foreign origin of a 307", async () => {
		trusted.state.route = (seen) => (seen.path === "/api/out" ? { status: 307, headers: { location: `${foreign.state.origin}/in` } } : { status: 200, body: "{}" });
		const { client } = dpopClient();

		await client.post("out", { x: 1 }).catch(() => undefined);

		expect(await proofOf(trusted.state.seen[0]!)).toMatchObject({ htm: "POST", htu: `${trusted.state.origin}/api/out`, ath: athOf("at-dpop-1") });
		expect(foreign.state.seen).toHaveLength(1);
		expect(foreign.state.seen[0]?.headers.dpop).toBeUndefined();
		expect(foreign.state.seen[0]?.headers.authorization).toBeUndefined();
	});

	it.each([301, 307, 308])("signs the same-origin hop of a %i for its own URL with a fresh jti (a trailing-slash redirect)", async (status) => {
		trusted.state.route = (seen) => (seen.path === "/api/collection" ? { status, headers: { location: "/api/collection/" } } : { status: 200, body: JSON.stringify({ ok: true }) });
		const { client } = dpopClient();

		await expect(client.get("collection")).resolves.toEqual({ ok: true });

		const [first, second] = await Promise.all(trusted.state.seen.map(proofOf));
		expect(trusted.state.seen.map((seen) => seen.path)).toEqual(["/api/collection", "/api/collection/"]);
		expect(first).toMatchObject({ htm: "GET", htu: `${trusted.state.origin}/api/collection` });
		expect(second).toMatchObject({ htm: "GET", htu: `${trusted.state.origin}/api/collection/`, ath: athOf("at-dpop-1") });
		expect(second?.jti).not.toBe(first?.jti);
		expect(trusted.state.seen[1]?.headers.authorization).toBe("DPoP at-dpop-1");
	});

	it("signs the GET a 303 turns a POST into with htm GET", async () => {
		trusted.state.route = (seen) => (seen.path === "/api/jobs" ? { status: 303, headers: { location: "/api/jobs/1" } } : { status: 200, body: "{}" });
		const { client } = dpopClient();

		await client.post("jobs", { run: true });

		const claims = await Promise.all(trusted.state.seen.map(proofOf));
		expect(trusted.state.seen.map((seen) => seen.method)).toEqual(["POST", "GET"]);
		expect(claims.map((claim) => [claim?.htm, claim?.htu])).toEqual([
			["POST", `${trusted.state.origin}/api/jobs`],
			["GET", `${trusted.state.origin}/api/jobs/1`],
		]);
	});
});

describe("a stream body on a 307 followed by hand", () => {
	it("rejects with BodyNotReplayableError, having sent the body once", async () => {
		trusted.state.route = (seen) => (seen.path === "/api/upload" ? { status: 307, headers: { location: "/api/upload/2" } } : { status: 200, body: "{}" });
		const { client } = dpopClient();
		const body = streamOf("chunk");

		const error = await client.post("upload", body, { headers: { "content-type": "application/octet-stream" } }).catch((caught: unknown) => caught);

		expect(error).toBeInstanceOf(BodyNotReplayableError);
		expect((error as BodyNotReplayableError).code).toBe("BODY_NOT_REPLAYABLE");
		expect(trusted.state.seen.map((seen) => [seen.path, seen.body])).toEqual([["/api/upload", "chunk"]]);
	});
});
