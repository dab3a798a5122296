import { describe, expect, it, vi } from "vitest";

// Node, no DOM: what server rendering and a test runner see. Every global a browser has, set as a trap that records
// a read, so importing the entries must not touch any (the peers, react and query-core, load before the traps).
const browserGlobals = ["window", "document", "navigator", "location", "localStorage", "sessionStorage", "self", "history", "indexedDB", "BroadcastChannel", "addEventListener"];

async function importTouching(load: () => Promise<Record<string, unknown>>) {
	const touched: string[] = [];
	const saved = browserGlobals.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
	for (const name of browserGlobals) {
		Object.defineProperty(globalThis, name, {
			configurable: true,
			get() {
				touched.push(name);
				return undefined;
			},
		});
	}
	try {
		return { module: await load(), touched };
	} finally {
		for (const [name, descriptor] of saved) {
			if (descriptor) Object.defineProperty(globalThis, name, descriptor);
			else delete (globalThis as Record<string, unknown>)[name];
		}
	}
}

describe("tokenflight/react and tokenflight/query import in Node with no DOM", () => {
	it("there is no DOM here", () => {
		expect(typeof document).toBe("undefined");
		expect(typeof window).toBe("undefined");
	});

	it.each([
		["tokenflight/react", () => import("../../src/react/index.js"), ["useSession", "SessionBoundary", "isSessionError"]],
		["tokenflight/query", () => import("../../src/query/index.js"), ["bindQueryClient", "isSessionError"]],
	] as const)("%s loads, exports its functions, and reads no browser global while loading", async (_entry, load, names) => {
		await import("react");
		await import("@tanstack/query-core");
		vi.resetModules();
		const { module, touched } = await importTouching(load as () => Promise<Record<string, unknown>>);
		for (const name of names) expect(typeof module[name]).toBe("function");
		expect(touched).toEqual([]);
	});

	it("the trap sees a read (the check above can fail)", async () => {
		const { touched } = await importTouching(async () => ({ read: typeof (globalThis as { window?: unknown }).window }));
		expect(touched).toEqual(["window"]);
	});
});
