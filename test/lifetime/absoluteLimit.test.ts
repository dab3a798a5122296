import { afterEach, describe, expect, it, vi } from "vitest";
import { absoluteFrom } from "../../src/lifetime/lifetime.js";
import { checkLifetimeOptions } from "../../src/lifetime/options.js";
import { parseTokenResponse } from "../../src/index.js";
import { lifetimeTabs, minute } from "./tabs.js";

function idToken(claims: Record<string, unknown>): string {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
	return `${part({ alg: "none" })}.${part(claims)}.sig`;
}

const now = Date.parse("2026-12-06T09:00:00Z");
let tabs: ReturnType<typeof lifetimeTabs> | undefined;
afterEach(() => tabs?.dispose());

describe("the absolute limit", () => {
	it("should come from the token response's refresh_expires_in", () => {
		const tokens = parseTokenResponse({ access_token: "at", token_type: "Bearer", expires_in: 300, refresh_expires_in: 1800, refresh_token: "rt" }, now);
		expect(tokens.refreshExpiresAt).toBe(now + 1_800_000);
		expect(absoluteFrom({}, tokens)).toBe(now + 1_800_000);
		expect(absoluteFrom({ refreshExpiry: false }, tokens)).toBeUndefined();
	});

	it("should come from the ID token's auth_time plus the maximum age", () => {
		const tokens = parseTokenResponse({ access_token: "at", token_type: "Bearer", id_token: idToken({ auth_time: now / 1000 - 60 }) }, now);
		expect(absoluteFrom({ maxAuthAgeMs: 8 * 3_600_000 }, tokens)).toBe(now - 60_000 + 8 * 3_600_000);
		expect(absoluteFrom({}, tokens)).toBeUndefined();
	});

	it("should come from the app's function, and the earliest source should win", () => {
		const tokens = { accessToken: "at", refreshExpiresAt: now + 2 * minute };
		const deadline = vi.fn(() => now + minute);
		expect(absoluteFrom({ deadline }, tokens)).toBe(now + minute);
		expect(deadline).toHaveBeenCalledWith(tokens);
		expect(absoluteFrom({ deadline: () => undefined }, tokens)).toBe(now + 2 * minute);
	});

	it("should reach every tab when a refresh moves it", async () => {
		vi.useFakeTimers({ now });
		tabs = lifetimeTabs({ absolute: {} });
		const a = tabs.open("A", { fresh: true, tokens: { accessToken: "at", refreshExpiresAt: now + 30 * minute } });
		const b = tabs.open("B", { fresh: false });
		expect(b.snapshot.absoluteDeadline).toBe(now + 30 * minute);
		a.lifetime.tokens({ accessToken: "at2", refreshExpiresAt: now + 60 * minute });
		await vi.advanceTimersByTimeAsync(1);
		expect(b.snapshot.absoluteDeadline).toBe(now + 60 * minute);
		await vi.advanceTimersByTimeAsync(59 * minute + 1);
		expect([a.snapshot.warning, b.snapshot.warning]).toEqual(["absolute", "absolute"]);
		await vi.advanceTimersByTimeAsync(minute);
		expect([a.expired, b.expired]).toEqual([["expired"], ["expired"]]);
	});

	it("should name the option and the value when a setting is wrong", () => {
		expect(() => checkLifetimeOptions({ idle: { timeoutMs: -1 } })).toThrow(new TypeError("idle.timeoutMs must be a number of milliseconds ≥ 1, got -1"));
		expect(() => checkLifetimeOptions({ idle: { timeoutMs: 1, warnBeforeMs: Number.NaN } })).toThrow(/idle.warnBeforeMs .* got NaN/);
		expect(() => checkLifetimeOptions({ absolute: { deadline: 5 as never } })).toThrow(new TypeError("absolute.deadline must be a function, got number"));
	});
});
