import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		exclude: ["test/browser/**"],
		environment: "node",
		setupFiles: ["test/helpers/setup.ts"],
		testTimeout: 20_000,
		// Measured here: vitest 5's on-disk transform cache served a stale src/client.ts after `git checkout`
		// restored an earlier version of the file, so tests ran code that was not on disk. Correctness over cold-start speed.
		fsModuleCache: false,
	},
});
