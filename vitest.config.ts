import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		exclude: ["test/browser/**"],
		environment: "node",
		setupFiles: ["test/helpers/setup.ts"],
		testTimeout: 20_000,
	},
});
