import { defineConfig } from "vitest/config";

// Real Chromium against the demo (`demo/serve.mjs`): one file at a time, since each drives a browser and a server.
export default defineConfig({
	test: {
		include: ["test/browser/**/*.test.ts"],
		environment: "node",
		fileParallelism: false,
		testTimeout: 90_000,
		hookTimeout: 120_000,
	},
});
