/**
 * The React Query example (examples/react-query) in any engine, over the driver: per `describe.each(engines())` block
 * one example server and one browser, per test a fresh context. The example runs the rollup output: `npm run build` first.
 */
import { startExampleServer } from "../../../examples/react-query/server.mjs";
import type { Engine, Page } from "../../helpers/browser/driver.js";
import { useEngineBlock } from "../../helpers/browser/engineBlock.js";

/** One entry of the page's log (examples/react-query/src/recording.ts). */
export type Entry =
	| { type: "response"; path: string; user: string | null; status: number }
	| { type: "data"; path: string; owner: string | undefined }
	| { type: "frame"; owners: string[]; errors: string[]; view: string };

/** One API answer as the server logged it. */
export type ServedRequest = { path: string; query: string; user: string | null; status: number };

export function useExample(engine: Engine) {
	const block = useEngineBlock(engine, () => startExampleServer({ port: 0 }), (server) => server.reset());
	return {
		/** Opens the app in `mode` and waits until Alice's workspace shows her first document. */
		async open(mode: "bound" | "naive"): Promise<Page> {
			const page = await block.context.newPage();
			await page.goto(`${block.server.url}?mode=${mode}`);
			await page.waitForFunction(() => document.querySelector("#document h1")?.textContent === "Alice's launch plan", undefined, { timeout: 15_000, message: `${engine}: Alice's workspace` });
			return page;
		},
		/** What the server answered since the test began (or since `reset`). */
		requests: async (): Promise<ServedRequest[]> => (await fetch(`${block.server.url}test/requests`)).json() as Promise<ServedRequest[]>,
	};
}

/** What happens outside the app (the portal, the server): a POST to the example server's /test/ routes, with the page's cookie. */
export function outside(page: Page, path: string, body: unknown = {}): Promise<void> {
	return page.evaluate(
		async ({ path, body }) => {
			const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
			if (!response.ok) throw new Error(`${path}: ${response.status}`);
		},
		{ path, body },
	);
}

type ExampleWindow = { example: { log: Entry[]; session(): { status: string }; cachedQueries(): unknown[] } };

export const logSince = (page: Page, from: number) => page.evaluate((from) => (window as unknown as ExampleWindow).example.log.slice(from), from);
export const logLength = (page: Page) => page.evaluate(() => (window as unknown as ExampleWindow).example.log.length);
export const sessionStatus = (page: Page) => page.evaluate(() => (window as unknown as ExampleWindow).example.session().status);
export const cachedQueries = (page: Page) => page.evaluate(() => (window as unknown as ExampleWindow).example.cachedQueries());
export const frames = (log: Entry[]) => log.filter((entry): entry is Extract<Entry, { type: "frame" }> => entry.type === "frame");
