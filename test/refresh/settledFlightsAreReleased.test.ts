// A client lives as long as the page. Tokens of refreshes that are over (old refresh tokens among them) must not stay
// reachable until it is disposed.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { createRefresher } from "../../src/refresh/refresher.js";
import { memoryTokenStore, type TokenSet } from "../../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

it("should keep no settled refresh's tokens reachable while the client lives", async () => {
	const store = memoryTokenStore({ accessToken: "a0", refreshToken: "r0" });
	let n = 0;
	const refresher = createRefresher({
		store,
		isUsable: () => true,
		refresh: async () => ({ accessToken: `a${++n}`, refreshToken: `r${n}`, expiresAt: Date.now() + 3_600_000 }),
	});
	const refs: WeakRef<TokenSet>[] = [];
	for (let i = 0; i < 200; i++) {
		const outcome = await refresher.refresh((await store.get())!.accessToken);
		if (outcome.type !== "ok") throw new Error(`refresh ${i}: ${outcome.type}`);
		refs.push(new WeakRef(outcome.tokens));
	}
	for (let i = 0; i < 5; i++) {
		gc();
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
	// The store holds the newest set; the refresher may remember one more. None of the other 198 may stay.
	const alive = refs.filter((ref) => ref.deref() !== undefined).length;
	expect(alive).toBeLessThanOrEqual(2);
	refresher.dispose();
});
