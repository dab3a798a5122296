// The README's quick start runs as pasted: its code block is extracted, pointed at the sources, and run.
// (test/readme/quickStartAsPasted.test.ts runs it with the README's own commands, from the packed tarball.)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const generated = `${root}test/.generated`;

function quickStart(): string {
	const readme = readFileSync(`${root}README.md`, "utf8");
	const section = readme.slice(readme.indexOf("## Quick start"));
	const match = /```ts\n([^]*?)```/.exec(section);
	if (!match?.[1]) throw new Error("README has no quick start code block");
	return match[1]
		.replace('from "tokenflight/msw"', 'from "../../src/msw/index.js"')
		.replace('from "tokenflight"', 'from "../../src/index.js"');
}

afterAll(() => rmSync(generated, { recursive: true, force: true }));

describe("README", () => {
	it("runs the quick start as pasted: three requests on an expired token, one refresh, a typed error", async () => {
		mkdirSync(generated, { recursive: true });
		writeFileSync(`${generated}/quickstart.ts`, quickStart());
		const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
		await import(/* @vite-ignore */ `${generated}/quickstart.ts`);
		const lines = log.mock.calls.map((call) => call.map(String).join(" "));
		expect(lines).toContain("2 documents for Alice");
		expect(lines).toContain("refresh calls: 1");
		expect(lines.some((line) => /^BAD_REQUEST - title is required \(status 400 POST https:\/\/app\.example\/api\/documents\.create\)$/.test(line))).toBe(true);
		// What the README says it prints: each session line once, the identity on the last.
		expect(lines.filter((line) => line.startsWith("session:"))).toEqual(["session: refreshing", "session: authenticated", "session: authenticated as alice"]);
	});
});
