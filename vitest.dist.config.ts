import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

// The same suite again, importing the rollup output instead of the sources: what users install is what is tested.
const dist = (file: string) => fileURLToPath(new URL(`./dist/${file}`, import.meta.url));

export default mergeConfig(
	base,
	defineConfig({
		resolve: {
			alias: [
				{ find: /^(\.\.\/)+src\/index\.(js|ts)$/, replacement: dist("index.js") },
				{ find: /^(\.\.\/)+src\/mobx\/index\.(js|ts)$/, replacement: dist("mobx.js") },
				{ find: /^(\.\.\/)+src\/cookie\/index\.(js|ts)$/, replacement: dist("cookie.js") },
				{ find: /^(\.\.\/)+src\/msw\/index\.(js|ts)$/, replacement: dist("msw.js") },
				{ find: /^(\.\.\/)+src\/dpop\/index\.(js|ts)$/, replacement: dist("dpop.js") },
				{ find: /^(\.\.\/)+src\/react\/index\.(js|ts)$/, replacement: dist("react.js") },
				{ find: /^(\.\.\/)+src\/query\/index\.(js|ts)$/, replacement: dist("query.js") },
			],
		},
		test: { include: ["test/**/*.test.ts"], exclude: ["test/browser/**", "test/unit/**"] },
	}),
);
