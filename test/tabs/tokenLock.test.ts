import { describe, expect, it, vi } from "vitest";
import { fingerprint } from "../../src/session/fingerprint.js";
import { tokenLock } from "../../src/tabs/tokenLock.js";
import { fakeLocks } from "../helpers/tabs.js";

describe("the per-token lock", () => {
	it("should let one tab at a time hold a refresh token, and name the lock by its fingerprint only", async () => {
		const fake = fakeLocks();
		const a = tokenLock(fake.locks, "tokenflight:presenting:app");
		const b = tokenLock(fake.locks, "tokenflight:presenting:app");
		const releaseA = await a("rt-1", 0);
		expect(releaseA).toBeTypeOf("function");
		expect(fake.isHeld(`tokenflight:presenting:app:${fingerprint("rt-1")}`)).toBe(true);
		expect(await b("rt-1", 0)).toBeNull();
		expect(await b("rt-2", 0)).toBeTypeOf("function");
		releaseA!();
		await Promise.resolve();
		expect(await b("rt-1", 0)).toBeTypeOf("function");
	});

	it("should wait for the holder up to waitMs, and get the token once it lets go", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		const lock = tokenLock(fake.locks, "p");
		const release = (await lock("rt-1", 0))!;
		const waiting = lock("rt-1", 5_000);
		await vi.advanceTimersByTimeAsync(3_000);
		release();
		await expect(waiting).resolves.toBeTypeOf("function");
	});

	it("should give up after waitMs on a holder that never lets go (a hung call, a frozen tab)", async () => {
		vi.useFakeTimers();
		const fake = fakeLocks();
		fake.freezeNextHolder();
		void tokenLock(fake.locks, "p")("rt-1", 0);
		const waiting = tokenLock(fake.locks, "p")("rt-1", 5_000);
		let result: unknown = "pending";
		void waiting.then((value) => (result = value));
		await vi.advanceTimersByTimeAsync(4_999);
		expect(result).toBe("pending");
		await vi.advanceTimersByTimeAsync(1);
		expect(result).toBeNull();
	});

	it("should go on alone where locks cannot be had (an opaque origin)", async () => {
		const denied = { request: () => Promise.reject(new DOMException("denied", "SecurityError")) };
		expect(await tokenLock(denied, "p")("rt-1", 1_000)).toBeTypeOf("function");
	});
});
