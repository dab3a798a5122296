import { fileURLToPath } from "node:url";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// One config, five projects. `npm test` runs each with `vitest run --project <name>`, in an order where a failure stops it.
//   node     the suite, on the sources
//   dist     the same suite importing the rollup output: what users install is what is tested (needs `npm run build`)
//   msw2     the mock backend's tests on msw 2, the lowest major of the msw peer range
//   mobx4    the mobx adapter's tests on mobx 4.15.7, the lowest version of the mobx peer range (what Outline pins)
//   browser  real browsers against the demo (test/browser)
//
// `vitest run` with no --project runs the node project alone, as it did before there were projects: the others need a
// build, other peer versions or browsers, and `vitest run <file>` would otherwise run that file once per project.
const projectAsked = process.argv.some((arg) => arg === "--project" || arg.startsWith("--project="));

/** Examples import the package by name, as an app would; under test that name means the sources. */
export const sourceAliases = [
	{ find: /^tokenflight$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
	{ find: /^tokenflight\/(bearer|cookie|mobx|msw|dpop|react|query)$/, replacement: fileURLToPath(new URL("./src/$1/index.ts", import.meta.url)) },
];

const dist = (file: string) => fileURLToPath(new URL(`./dist/${file}`, import.meta.url));

// Every Node project. fsModuleCache: measured here, vitest 5's on-disk transform cache served a stale src/client.ts
// after `git checkout` restored an earlier version of the file, so tests ran code that was not on disk. Correctness
// over cold-start speed.
const inNode = {
	environment: "node" as const,
	setupFiles: ["test/helpers/setup.ts"],
	testTimeout: 20_000,
	fsModuleCache: false,
};

const node: TestProjectInlineConfiguration = {
	resolve: { alias: sourceAliases },
	test: { ...inNode, name: "node", include: ["test/**/*.test.ts"], exclude: ["test/browser/**"] },
};

const distProject: TestProjectInlineConfiguration = {
	resolve: {
		alias: [
			{ find: /^(\.\.\/)+src\/index\.(js|ts)$/, replacement: dist("index.js") },
			{ find: /^(\.\.\/)+src\/mobx\/index\.(js|ts)$/, replacement: dist("mobx.js") },
			{ find: /^(\.\.\/)+src\/cookie\/index\.(js|ts)$/, replacement: dist("cookie.js") },
			{ find: /^(\.\.\/)+src\/msw\/index\.(js|ts)$/, replacement: dist("msw.js") },
			{ find: /^(\.\.\/)+src\/dpop\/index\.(js|ts)$/, replacement: dist("dpop.js") },
			{ find: /^(\.\.\/)+src\/react\/index\.(js|ts)$/, replacement: dist("react.js") },
			{ find: /^(\.\.\/)+src\/query\/index\.(js|ts)$/, replacement: dist("query.js") },
			{ find: /^tokenflight$/, replacement: dist("index.js") },
			{ find: /^tokenflight\/(bearer|cookie|mobx|msw|dpop|react|query)$/, replacement: dist("$1.js") },
		],
	},
	// persistentTabId.test.ts imports an internal module that no entry exports: it would only run the sources again.
	test: { ...inNode, name: "dist", include: ["test/**/*.test.ts"], exclude: ["test/browser/**", "test/tabs/persistentTabId.test.ts", "test/readme/**"] },
};

// msw 2: the `msw2` devDependency (npm:msw@^2) stands in for `msw` and every subpath (`msw/node`, ...) in src/msw and
// the tests; test/msw2/readmeExample.test.ts asserts that msw 2 is what actually runs. Under msw 2,
// listen({ onUnhandledFrame }) (msw 3's name) is ignored and unhandled requests only warn; test/msw2 passes both names.
// Left out: test/msw/nodeCookies.test.ts pins msw 3's Node cookie behaviour. msw 2 keeps every mocked Set-Cookie in a
// process-wide cookie store and adds it to each later request to that origin whatever its `credentials` (measured with
// msw 2.15.0), so a cookie login over HTTP rides on later bearer calls and the mock's Nextcloud rule logs that session
// out. That is msw 2's behaviour, not tokenflight's.
const msw2: TestProjectInlineConfiguration = {
	resolve: {
		alias: [
			{ find: /^msw$/, replacement: "msw2" },
			{ find: /^msw\/(.+)$/, replacement: "msw2/$1" },
			...sourceAliases,
		],
	},
	test: {
		...inNode,
		name: "msw2",
		include: ["test/msw/*.test.ts", "test/msw2/*.test.ts"],
		exclude: ["test/msw/nodeCookies.test.ts"],
		env: { TOKENFLIGHT_EXPECT_MSW_MAJOR: "2" },
	},
};

// mobx 4.15.7: the `mobx4` devDependency (npm:mobx@4.15.7) stands in for `mobx` in src/mobx and the tests; the node
// project runs the same files on mobx 7, and test/peers/mobx.test.ts asserts which mobx actually runs. Left out:
// test/adapters/mobxAuthStore.test.ts builds its store with makeObservable, which mobx 4 does not have (the test's
// code, not tokenflight's); test/peers/mobx.test.ts runs that scenario written for mobx 4 to 7.
const mobx4: TestProjectInlineConfiguration = {
	resolve: { alias: [{ find: /^mobx$/, replacement: "mobx4" }, ...sourceAliases] },
	test: {
		...inNode,
		name: "mobx4",
		include: ["test/adapters/mobx.test.ts", "test/adapters/watchSession.test.ts", "test/peers/*.test.ts", "test/outline/authStore.test.ts"],
		env: { TOKENFLIGHT_EXPECT_MOBX_VERSION: "4.15.7" },
		// Loaded as ESM through vite (mobx 4's "module" build) rather than required as CJS: the CJS interop reads
		// `default`, and mobx 4 answers that read with a console warning.
		server: { deps: { inline: ["mobx4"] } },
	},
};

// React 18, the lowest major of the react peer range, for test/react (the node project runs them on React 19). It is a
// package of its own (test/peers/react18, a file: devDependency): react-dom 18's peer dependency on react cannot be an
// npm alias beside the root's React 19. react-dom 18 finds its react there too.
const react18Path = (path: string) => fileURLToPath(new URL(`./test/peers/react18/node_modules/${path}`, import.meta.url));
const react18: TestProjectInlineConfiguration = {
	resolve: {
		alias: [
			{ find: /^react$/, replacement: react18Path("react/index.js") },
			{ find: /^react-dom\/(client|server)$/, replacement: react18Path("react-dom/$1.js") },
			...sourceAliases,
		],
	},
	test: { ...inNode, name: "react18", include: ["test/react/*.test.ts"], env: { TOKENFLIGHT_EXPECT_REACT_MAJOR: "18" } },
};

// Real browsers against the demo (`demo/serve.mjs`): one file at a time, since each drives a browser and a server.
const browser: TestProjectInlineConfiguration = {
	test: {
		name: "browser",
		include: ["test/browser/**/*.test.ts"],
		environment: "node",
		fileParallelism: false,
		testTimeout: 90_000,
		hookTimeout: 120_000,
		fsModuleCache: false,
	},
};

export default defineConfig({
	test: {
		projects: projectAsked ? [node, distProject, msw2, mobx4, react18, browser] : [node],
	},
});
