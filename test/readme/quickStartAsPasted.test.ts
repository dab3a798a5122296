// The README's Quick start as a newcomer follows it: its shell block, run line by line by bash in an empty folder
// (`npm init -y`, `npm pkg set type=module`, `npm install <the tarball> msw`, `node quickstart.ts`), with its
// TypeScript block saved as quickstart.ts. Only the tarball's path is this run's own. The tarball is local; npm takes
// ky, js-cookie and msw from its cache first (--prefer-offline: `npm ci` caches tarballs but not every package's
// metadata, so msw's dependencies may still come from the registry on a first run).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "tokenflight-quickstart-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function quickStartBlocks(): { shell: string[]; code: string } {
	const readme = readFileSync(join(root, "README.md"), "utf8");
	const section = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1));
	const shell = /```sh\n([^]*?)```/.exec(section)?.[1];
	const code = /```ts\n([^]*?)```/.exec(section)?.[1];
	if (!shell || !code) throw new Error("README's Quick start has no sh or ts block");
	return { shell: shell.split("\n").filter((line) => line.trim() !== ""), code };
}

/** The packed tarball: dist/ as built by `npm test`, or `npm pack`'s own prepack build where there is none. */
function pack(): string {
	const args = ["pack", "--json", "--pack-destination", scratch, ...(existsSync(join(root, "dist", "index.js")) ? ["--ignore-scripts"] : [])];
	const output = execFileSync("npm", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
	return join(scratch, JSON.parse(output.slice(output.lastIndexOf("\n[\n") + 1))[0].filename);
}

describe("README Quick start", () => {
	it("runs as pasted in a project made with npm init -y, with the README's install and run commands", () => {
		const { shell, code } = quickStartBlocks();
		expect(shell.some((line) => line.includes("npm pkg set type=module"))).toBe(true);
		const tarball = pack();
		const home = join(scratch, "work");
		mkdirSync(home);
		const script = shell.map((line) => {
			let command = line.replace(/\S*tokenflight-[\d.]+\.tgz/, tarball);
			if (/^npm install /.test(command)) command = command.replace(/#.*$/, "") + " --prefer-offline --no-audit --no-fund --loglevel=error";
			// The README says when to save the code: right before running it.
			if (/^node quickstart\.ts/.test(command)) command = `cp ${JSON.stringify(join(scratch, "quickstart.ts"))} quickstart.ts && ${command}`;
			return command;
		});
		writeFileSync(join(scratch, "quickstart.ts"), code);
		const result = spawnSync("bash", ["-euo", "pipefail", "-c", script.join("\n")], {
			cwd: home,
			encoding: "utf8",
			// This repository's Node 22 first, as for every npm script; nothing else of the repository is visible.
			env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`, NODE_OPTIONS: "" },
		});
		expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
		const lines = result.stdout.split("\n");
		const pkg = JSON.parse(readFileSync(join(home, "quickstart", "package.json"), "utf8"));
		expect(pkg.type).toBe("module");
		expect(lines).toContain("2 documents for Alice");
		expect(lines).toContain("refresh calls: 1");
		expect(lines.filter((line) => line.startsWith("session:"))).toEqual(["session: refreshing", "session: authenticated", "session: authenticated as alice"]);
		expect(lines.some((line) => /^BAD_REQUEST - title is required \(status 400 POST https:\/\/app\.example\/api\/documents\.create\)$/.test(line))).toBe(true);
	}, 240_000);
});
