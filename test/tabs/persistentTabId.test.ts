import { describe, expect, it } from "vitest";
import { persistentTabId } from "../../src/session/reloadGuard.js";
import { memoryHistory, memoryStorage, throwingStorage } from "../helpers/storage.js";

describe("persistentTabId", () => {
	it("should keep the same id across page loads of one tab (sessionStorage)", () => {
		const storage = memoryStorage();
		expect(persistentTabId(storage, null)).toBe(persistentTabId(storage, null));
	});

	it("should give different tabs different ids", () => {
		expect(persistentTabId(memoryStorage(), null)).not.toBe(persistentTabId(memoryStorage(), null));
	});

	it("should fall back to history.state when storage throws", () => {
		const history = memoryHistory();
		const id = persistentTabId(throwingStorage(), history);
		expect(id).toEqual(expect.any(String));
		expect(persistentTabId(throwingStorage(), history)).toBe(id);
	});

	it("should return null when nothing can persist an id, so a tab never joins its own attempt", () => {
		expect(persistentTabId(throwingStorage(), null)).toBeNull();
	});
});
