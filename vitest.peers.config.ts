import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// React 18 for tokenflight/react: its own package (test/peers/react18, a file: devDependency), since react-dom 18's
// peer dependency on react cannot be an npm alias beside the root's React 19. react-dom 18 finds its react there too.
const react18 = (path: string) => fileURLToPath(new URL(`./test/peers/react18/node_modules/${path}`, import.meta.url));

// The lowest peers: React 18 for test/react (the main config runs them on React 19), and mobx at the lowest version our peer range allows (>=4.15.7, what Outline pins): the `mobx4` devDependency
// (npm:mobx@4.15.7) stands in for `mobx` in src/mobx and the tests. The main config runs the same files on mobx 7;
// test/peers/mobx.test.ts asserts which mobx actually runs. (msw's lowest major runs in vitest.msw2.config.ts.)
//
// test/mobx.test.ts's "AuthStore" test builds its own store with makeObservable, which mobx 4 does not have (the
// test's code, not tokenflight's); test/peers/mobx.test.ts runs the same scenario written for mobx 4 to 7.
const mobx6OnlyTests = ["should drive an existing AuthStore through onSessionEnded"];

export default defineConfig({
	resolve: {
		alias: [
			{ find: /^mobx$/, replacement: "mobx4" },
			{ find: /^react$/, replacement: react18("react/index.js") },
			{ find: /^react-dom\/(client|server)$/, replacement: react18("react-dom/$1.js") },
		],
	},
	test: {
		name: "peers (mobx 4, React 18)",
		include: ["test/react/*.test.ts", "test/mobx.test.ts", "test/watchSession.test.ts", "test/peers/*.test.ts", "test/outline/authStore.test.ts"],
		environment: "node",
		setupFiles: ["test/helpers/setup.ts"],
		env: { TOKENFLIGHT_EXPECT_MOBX_VERSION: "4.15.7", TOKENFLIGHT_EXPECT_REACT_MAJOR: "18" },
		// Loaded as ESM through vite (mobx 4's "module" build) rather than required as CJS: the CJS interop reads
		// `default`, and mobx 4 answers that read with a console warning.
		server: { deps: { inline: ["mobx4"] } },
		testNamePattern: new RegExp(`^(?!.*(?:${mobx6OnlyTests.join("|")}))`),
		testTimeout: 20_000,
		// As in vitest.config.ts: no on-disk transform cache (it served stale sources after a checkout).
		fsModuleCache: false,
	},
});
