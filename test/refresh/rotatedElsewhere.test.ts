// A refresh token another tab announced as rotated is never presented, also when the store is re-read after a
// consumed token. The test failed on the code before its fix.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRefresher } from "../../src/refresh/refresher.js";
import type { TokenSet } from "../../src/index.js";

afterEach(() => void vi.useRealTimers());

describe("the consumed-token re-read checks rotatedElsewhere", () => {
	it("never presents a refresh token another tab announced as rotated", async () => {
		vi.useFakeTimers();
		// This tab's view of localStorage lags behind tab B, which rotated rt-1 -> rt-X -> rt-Y and announced both.
		const announced = new Set(["rt-1", "rt-X"]);
		let reads = 0;
		const store = {
			async get(): Promise<TokenSet> {
				reads++;
				// 2 s of lag on rt-1 (readSettled's bound), then the next lagging value arrives, then the current one.
				if (reads <= 101) return { accessToken: "at-1", refreshToken: "rt-1" };
				if (reads <= 103) return { accessToken: "at-X", refreshToken: "rt-X" };
				return { accessToken: "at-Y", refreshToken: "rt-Y" };
			},
			set: async () => {},
			clear: async () => {},
		};
		const presented: (string | undefined)[] = [];
		const refresher = createRefresher({
			store,
			refresh: async ({ refreshToken }) => {
				presented.push(refreshToken);
				return { accessToken: "at-new", refreshToken: "rt-new" };
			},
			isUsable: () => false, // every access token is expiring: the refresher must choose a refresh token
			rotatedElsewhere: (token) => announced.has(token),
		});
		const outcome = refresher.refresh("at-1");
		await vi.advanceTimersByTimeAsync(5_000);
		expect(presented).not.toContain("rt-X");
		refresher.dispose();
	});
});
