// RFC 9449 §7.1: `invalid_dpop_proof` is about the proof, not the token. A refresh cannot fix it: the request is sent
// once more with a fresh proof, and if that one is refused too, that request alone fails with InvalidDPoPProofError.
// Nothing is refreshed and the session never ends over it.
import { describe, expect, it, vi } from "vitest";
import { createDPoP } from "../../src/dpop/index.js";
import { InvalidDPoPProofError, memoryTokenStore, type RefreshFunction } from "../../src/index.js";
import { twoOrigins } from "../helpers/redirectServers.js";
import { verifyProof } from "../helpers/verifyProof.js";

const { trusted, makeClient } = twoOrigins();
const refused = { status: 401, headers: { "www-authenticate": 'DPoP error="invalid_dpop_proof", error_description="proof replayed"' }, body: JSON.stringify({ error: "invalid_dpop_proof" }) };

function dpopClient() {
	const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: "at-2", refreshToken: "rt-2" }));
	const dpop = createDPoP({ storage: "memory" });
	const made = makeClient({ type: "bearer", store: memoryTokenStore({ accessToken: "at-1", refreshToken: "rt-1" }), refresh, dpop });
	return { ...made, refresh };
}

describe("a resource server that answers invalid_dpop_proof", () => {
	it("is answered by one retry with a fresh proof, and no refresh", async () => {
		let answered = 0;
		trusted.state.route = () => (answered++ === 0 ? refused : { status: 200, body: JSON.stringify({ ok: true }) });
		const { client, refresh, reauthenticate } = dpopClient();

		await expect(client.get("me")).resolves.toEqual({ ok: true });

		const jtis = await Promise.all(trusted.state.seen.map(async (seen) => (await verifyProof(String(seen.headers.dpop))).claims.jti));
		expect(jtis).toHaveLength(2);
		expect(new Set(jtis).size).toBe(2);
		expect(trusted.state.seen.map((seen) => seen.headers.authorization)).toEqual(["DPoP at-1", "DPoP at-1"]);
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
	});

	it("fails that request alone with InvalidDPoPProofError when the fresh proof is refused too", async () => {
		trusted.state.route = (seen) => (seen.path === "/api/me" ? refused : { status: 200, body: JSON.stringify({ ok: true }) });
		const { client, refresh, reauthenticate } = dpopClient();
		await client.get("other");

		const error = await client.get("me").catch((caught: unknown) => caught);

		expect(error).toBeInstanceOf(InvalidDPoPProofError);
		expect(error).toMatchObject({ code: "INVALID_DPOP_PROOF", status: 401 });
		expect((error as InvalidDPoPProofError).challenge?.params.error).toBe("invalid_dpop_proof");
		expect(trusted.state.seen.filter((seen) => seen.path === "/api/me")).toHaveLength(2);
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(client.session.getSnapshot().status).toBe("authenticated");
		// The session still works for everything else.
		await expect(client.get("other")).resolves.toEqual({ ok: true });
	});

	it("hands client.fetch the 401 itself after the one retry, with no refresh", async () => {
		trusted.state.route = () => refused;
		const { client, refresh, reauthenticate } = dpopClient();

		const response = await client.fetch(`${trusted.state.origin}/api/me`);

		expect(response.status).toBe(401);
		expect(trusted.state.seen).toHaveLength(2);
		expect(refresh).not.toHaveBeenCalled();
		expect(reauthenticate).not.toHaveBeenCalled();
	});
});
