import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Examples import the package by name, as an app would; under test that name means the sources. */
export const sourceAliases = [
	{ find: /^tokenflight$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
	{ find: /^tokenflight\/(cookie|mobx|msw|dpop)$/, replacement: fileURLToPath(new URL("./src/$1/index.ts", import.meta.url)) },
];

export default defineConfig({
	resolve: { alias: sourceAliases },
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
