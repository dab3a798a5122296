import { describe, expect, it } from "vitest";
import { engines, sleep } from "../../helpers/browser/driver.js";
import { cachedQueries, frames, logLength, logSince, outside, sessionStatus, useExample, type Entry, type ServedRequest } from "./reactQuery.js";

// examples/react-query: React 19 + TanStack Query 5 on tokenflight, bound (tokenflight/query's bindQueryClient and
// tokenflight/react's SessionBoundary) or naive (the same app without them). The page logs every frame it renders.

/** The frames from the app's first delivery of Bob's data on (the screen at that moment included). */
function framesFromBobsFirstData(log: Entry[]) {
	const first = log.findIndex((entry) => entry.type === "data" && entry.owner === "bob");
	return first === -1 ? undefined : frames(log.slice(first));
}

/** Requests answered after the in-place re-authentication, by endpoint. */
function afterRenew(requests: ServedRequest[]) {
	const renew = requests.findIndex((request) => request.path === "/auth/renew");
	const after = requests.slice(renew + 1);
	return { renewed: renew !== -1, byPath: (path: string) => after.filter((request) => request.path === path), after };
}

describe.each(engines())("React Query example (%s)", (engine) => {
	const example = useExample(engine);

	/** The portal signs Bob in; back in the tab, the user refreshes; waits until Bob's document shows. Returns the page's log index before. */
	async function switchToBob(mode: "bound" | "naive") {
		const page = await example.open(mode);
		const from = await logLength(page);
		await outside(page, "/test/switch", { to: "bob" });
		await page.click({ role: "button", name: "Refresh" });
		await page.waitForFunction(() => document.querySelector("#document h1")?.textContent === "Bob's meeting notes", undefined, { timeout: 15_000 });
		return { page, from };
	}

	it("identity switch A → B, bound: no error state, no frame with A's data after B's first response, one refetch per query", async () => {
		const { page, from } = await switchToBob("bound");
		expect(await page.text({ css: "#current-user" })).toBe("Bob Rivera");
		// Long enough for a late refetch or frame to show up.
		await sleep(1_000);

		const log = await logSince(page, from);
		const afterBob = framesFromBobsFirstData(log);
		expect(afterBob?.length).toBeGreaterThan(0);
		expect(afterBob?.filter((frame) => frame.owners.includes("alice"))).toEqual([]);
		expect(frames(log).filter((frame) => frame.errors.length > 0)).toEqual([]);
		// The calm state showed while tokenflight signed in again.
		expect(frames(log).some((frame) => frame.view === "reauthenticating")).toBe(true);

		const { renewed, byPath, after } = afterRenew(await example.requests());
		expect(renewed).toBe(true);
		expect(after.every((request) => request.user === "bob" && request.status === 200)).toBe(true);
		expect(byPath("auth.info")).toHaveLength(1);
		expect(byPath("documents.list")).toHaveLength(1);
		expect(byPath("documents.info").map((request) => request.query)).toEqual(["?id=b1"]);
		expect(await sessionStatus(page)).toBe("authenticated");
	});

	it("identity switch A → B, naive (the control): a frame shows A's documents after B's first response", async () => {
		const { page, from } = await switchToBob("naive");
		await sleep(500);
		const afterBob = framesFromBobsFirstData(await logSince(page, from));
		expect(afterBob?.filter((frame) => frame.owners.includes("alice")).length).toBeGreaterThan(0);
	});

	it("dead session under the signOut policy: the cache is cleared, the sign-in screen shows, no error state", async () => {
		const page = await example.open("bound");
		const from = await logLength(page);
		const served = (await example.requests()).length;
		await outside(page, "/test/kill");
		await page.click({ role: "button", name: "Refresh" });
		await page.waitFor({ role: "heading", name: "Sign in" }, { timeout: 15_000 });
		await sleep(800);

		expect(await sessionStatus(page)).toBe("signedOut");
		expect(await cachedQueries(page)).toEqual([]);
		const log = await logSince(page, from);
		expect(frames(log).filter((frame) => frame.errors.length > 0)).toEqual([]);
		expect(frames(log).at(-1)).toMatchObject({ view: "sign-in", owners: [] });
		// Each 401 once: none retried by the app's retry (2).
		const unauthorized = (await example.requests()).slice(served).filter((request) => request.status === 401);
		expect(unauthorized.map((request) => request.path).sort()).toEqual(["auth.info", "documents.info", "documents.list"]);

		// Signing in as Bob shows none of Alice's data, not even for a frame.
		const signIn = await logLength(page);
		await page.click({ role: "button", name: "Sign in as Bob" });
		await page.waitForFunction(() => document.querySelector("#document h1")?.textContent === "Bob's meeting notes", undefined, { timeout: 15_000 });
		expect(frames(await logSince(page, signIn)).filter((frame) => frame.owners.includes("alice"))).toEqual([]);
	});

	it("a 500 on one query: that query alone shows the server's message, after the app's retry; the session is untouched", async () => {
		const page = await example.open("bound");
		const from = await logLength(page);
		const served = (await example.requests()).length;
		await outside(page, "/test/fail", { path: "documents.info", status: 500, message: "The document store is down", times: 10 });
		await page.click({ role: "button", name: "Refresh" });
		await page.waitFor({ css: "#document [data-error]" }, { timeout: 15_000 });
		await sleep(500);

		expect(await page.text({ css: "#document [data-error]" })).toMatch(/^The document store is down \(status 500 GET http:\/\/127\.0\.0\.1:\d+\/api\/documents\.info\)$/);
		expect(await page.text({ css: "#current-user" })).toBe("Alice Chen");
		expect(await page.count({ css: "nav [data-error], header [data-error]" })).toBe(0);
		const errors = frames(await logSince(page, from)).flatMap((frame) => frame.errors);
		expect(errors.length).toBeGreaterThan(0);
		expect(errors.every((text) => text.startsWith("The document store is down"))).toBe(true);

		const requests = (await example.requests()).slice(served);
		// The first try and the app's two retries.
		expect(requests.filter((request) => request.path === "documents.info").map((request) => request.status)).toEqual([500, 500, 500]);
		expect(requests.filter((request) => request.path !== "documents.info").map((request) => [request.path, request.status])).toEqual([
			["auth.info", 200],
			["documents.list", 200],
		]);
		expect(await sessionStatus(page)).toBe("authenticated");
	});
});
