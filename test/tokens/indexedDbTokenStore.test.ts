import { describe, expect, it } from "vitest";
import { indexedDbTokenStore } from "../../src/index.js";

describe("indexedDbTokenStore", () => {
	it("should degrade to memory where IndexedDB is missing (Node, some private modes)", async () => {
		expect(globalThis.indexedDB).toBeUndefined();
		const store = indexedDbTokenStore("test");
		await store.set({ accessToken: "a", refreshToken: "r" });
		expect(await store.get()).toEqual({ accessToken: "a", refreshToken: "r" });
		await store.clear();
		expect(await store.get()).toBeNull();
	});
});
