// The package as users receive it: each entry imports only what it should, and the optional peers stay the app's own copy.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (file: string) => readFileSync(new URL(`../../dist/${file}`, import.meta.url), "utf8");
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
	exports: Record<string, unknown>;
	sideEffects: boolean;
	peerDependenciesMeta: Record<string, { optional: boolean }>;
};

describe("package", () => {
	it("should have been built (npm test builds before vitest)", () => {
		expect(existsSync(new URL("../../dist/index.js", import.meta.url))).toBe(true);
	});

	it("should import mobx only from tokenflight/mobx, and never bundle it", () => {
		expect(read("mobx.js")).toMatch(/from ["']mobx["']/);
		expect(read("mobx.cjs")).toMatch(/require\(["']mobx["']\)/);
		// A bundled mobx would carry its own error texts.
		expect(read("mobx.js")).not.toContain("[MobX]");
		expect(read("index.js")).not.toMatch(/["']mobx["']/);
	});

	it("should keep msw out of the core entry", () => {
		expect(read("index.js")).not.toMatch(/["']msw/);
		expect(read("msw.js")).toMatch(/from ["']msw["']/);
	});

	it("should list every entry with types in the exports map", () => {
		for (const entry of [".", "./mobx", "./msw"]) {
			expect(pkg.exports[entry]).toMatchObject({ import: { types: expect.stringMatching(/\.d\.ts$/) }, require: { types: expect.stringMatching(/\.d\.cts$/) } });
		}
		expect(pkg.sideEffects).toBe(false);
		expect(pkg.peerDependenciesMeta.mobx?.optional).toBe(true);
	});
});
