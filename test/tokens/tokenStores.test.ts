import { describe, expect, it } from "vitest";
import { memoryTokenStore, storageTokenStore } from "../../src/index.js";
import { memoryStorage, throwingStorage } from "../helpers/storage.js";

describe("token stores", () => {
	it("should round-trip tokens through a storage", () => {
		const storage = memoryStorage();
		const store = storageTokenStore(storage, "k");
		store.set({ accessToken: "a", refreshToken: "r", expiresAt: 5 });
		expect(storageTokenStore(storage, "k").get()).toEqual({ accessToken: "a", refreshToken: "r", expiresAt: 5 });
		store.clear();
		expect(store.get()).toBeNull();
	});

	it("should read malformed stored tokens as no tokens", () => {
		const storage = memoryStorage();
		storage.setItem("k", '{"accessToken": 42}');
		expect(storageTokenStore(storage, "k").get()).toBeNull();
		storage.setItem("k", "not json");
		expect(storageTokenStore(storage, "k").get()).toBeNull();
	});

	it("should keep working in memory when the storage throws", () => {
		const store = storageTokenStore(throwingStorage());
		expect(() => store.set({ accessToken: "a" })).not.toThrow();
		expect(store.get()).toEqual({ accessToken: "a" });
	});

	it("should not share its state with the object it was given", () => {
		const initial = { accessToken: "a" };
		const store = memoryTokenStore(initial);
		initial.accessToken = "changed";
		expect(store.get()).toEqual({ accessToken: "a" });
	});
});
