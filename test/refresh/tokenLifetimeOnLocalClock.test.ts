// A token that names when it was issued (`iat`) lasts exp - iat from when it arrived, on the local clock. The API's Date
// header (a different machine's clock) only places tokens without `iat`: one clock never overwrites the other.
import { describe, expect, it, vi } from "vitest";
import { memoryTokenStore } from "../../src/index.js";
import { fakeServer, json, useFakeServerClients } from "../helpers/headerRecordingFetch.js";

const client = useFakeServerClients();
const minute = 60_000;

const jwt = (claims: Record<string, unknown>) => {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
	return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.signature`;
};
/** Issued now for five minutes, by the token server's clock (the local one). */
const fiveMinuteToken = () => jwt({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300 });

describe("an API whose Date header is 10 minutes ahead, and tokens with iat from a clock that agrees with ours", () => {
	it("refreshes at most once over 10 sequential requests", async () => {
		const server = fakeServer(() => json({ ok: true }, { headers: { date: new Date(Date.now() + 10 * minute).toUTCString() } }));
		let n = 0;
		const refresh = vi.fn(async () => ({ accessToken: fiveMinuteToken(), refreshToken: `rt-${++n}` }));
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: fiveMinuteToken(), refreshToken: "rt-0" }), refresh } });

		for (let i = 0; i < 10; i++) await expect(c.get(`doc/${i}`)).resolves.toEqual({ ok: true });

		expect(server.seen).toHaveLength(10);
		expect(refresh.mock.calls.length).toBeLessThanOrEqual(1);
	});

	it("still refreshes a token with iat whose lifetime has run out on the local clock", async () => {
		const server = fakeServer(() => json({ ok: true }, { headers: { date: new Date(Date.now() + 10 * minute).toUTCString() } }));
		// Issued 10 minutes ago for 5 minutes: refreshed before the first request leaves, whatever the Date header says.
		const stale = jwt({ iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 });
		const refresh = vi.fn(async () => ({ accessToken: fiveMinuteToken(), refreshToken: "rt-1" }));
		const c = client(server.fetch, { auth: { type: "bearer", store: memoryTokenStore({ accessToken: stale, refreshToken: "rt-0" }), refresh } });

		for (let i = 0; i < 3; i++) await expect(c.get(`doc/${i}`)).resolves.toEqual({ ok: true });

		expect(refresh).toHaveBeenCalledTimes(1);
		expect(server.seen[0]?.authorization).not.toContain(stale);
	});
});
