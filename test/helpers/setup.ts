import { afterEach, vi } from "vitest";

afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});
