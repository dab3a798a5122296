import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reactQueryRoute } from "../../../demo/reactQuery.mjs";
import { engines, launch, type Browser } from "../../helpers/browser/driver.js";

// The demo's React Query scenario: /react-query (demo/reactQuery.mjs, the hook the demo server uses) opens the
// example's side-by-side page, whose buttons run one scenario in the naive and the bound app at once.
describe.each(engines())("demo: React Query naive vs bound (%s)", (engine) => {
	let server: Server;
	let route: ReturnType<typeof reactQueryRoute>;
	let browser: Browser;
	beforeAll(async () => {
		route = reactQueryRoute();
		server = createServer((request, response) => {
			void route.serve(new URL(request.url ?? "/", "http://localhost").pathname, response).then((served) => served || response.writeHead(404).end());
		});
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		browser = await launch(engine);
	});
	afterAll(async () => {
		await browser?.close();
		await new Promise((resolve) => server?.close(resolve));
		await route?.close();
	});

	it("the identity switch and the dead session, in both frames: only the naive one shows or keeps Alice's data", async () => {
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/react-query`);
		expect(await page.url()).toMatch(/\/compare$/);
		const run = (id: string) =>
			page.evaluate(async (id) => {
				await (window as unknown as { compare: { run(id: string): Promise<void> } }).compare.run(id);
				return { naive: document.getElementById("verdict-naive")?.textContent ?? "", bound: document.getElementById("verdict-bound")?.textContent ?? "" };
			}, id);

		const switched = await run("switch");
		expect(switched.naive).toMatch(/^[1-9]\d* frame\(s\) with Alice's data after Bob's first response/);
		expect(switched.bound).toMatch(/^0 frame\(s\) with Alice's data after Bob's first response · 0 frame\(s\) with an error state · 0 of \d+ cached queries hold Alice's data/);

		const dead = await run("dead");
		expect(dead.naive).toMatch(/[1-9]\d* of \d+ cached queries hold Alice's data · now: sign-in$/);
		expect(dead.bound).toBe("0 frame(s) with an error state · 0 of 0 cached queries hold Alice's data · now: sign-in");
		await context.close();
	});
});
