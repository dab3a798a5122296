// The lifecycle every `describe.each(engines())` block over a served app shares: one server and one browser per
// block, a fresh context (storage, Service Worker, cookies) per test.
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { launch, type Browser, type Context, type Engine } from "./driver.js";

/**
 * Starts the server (`start`) and launches `engine` before the block, closes both after it; opens a context before
 * each test (after `beforeEachTest`, which may reset the server) and closes it after.
 */
export function useEngineBlock<S extends { close(): Promise<void> }>(engine: Engine, start: () => Promise<S>, beforeEachTest?: (server: S) => void) {
	let server: S;
	let browser: Browser;
	let context: Context | undefined;
	beforeAll(async () => {
		server = await start();
		browser = await launch(engine);
	});
	beforeEach(async () => {
		beforeEachTest?.(server);
		context = await browser.newContext();
	});
	afterEach(async () => {
		await context?.close();
		context = undefined;
	});
	afterAll(async () => {
		await browser?.close();
		await server?.close();
	});
	return {
		get server(): S {
			return server;
		},
		get browser(): Browser {
			return browser;
		},
		get context(): Context {
			if (!context) throw new Error("No browser context outside a test");
			return context;
		},
	};
}
