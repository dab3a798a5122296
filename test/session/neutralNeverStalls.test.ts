// `auth: "neutral"` says the answer means nothing for the session, so such a request neither waits for a
// re-authentication nor loops while one is under way. Invariant: a request only tries again after an external event
// (a session change, a server's answer); it never retries in microtasks, so a 0 ms timer always gets to run.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClient, memoryTokenStore, type Client, type TokenSet, type TokenStore } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { memoryStorage } from "../helpers/storage.js";

const { server, clients } = useRecordingServer();

/** Counts reads of the token store: each attempt to send reads it once, so a spinning request reads it without end. */
function countingStore(tokens: TokenSet, limit = 200): TokenStore & { reads: number } {
	const inner = memoryTokenStore(tokens);
	const store = {
		reads: 0,
		get() {
			// A spin never yields to a timer: stop it here so the test fails instead of freezing the worker.
			if (++store.reads > limit) throw new Error("the token store was read in a loop");
			return inner.get();
		},
		set: (value: TokenSet) => inner.set(value),
		clear: () => inner.clear(),
	};
	return store;
}

const macrotask = () => new Promise<string>((resolve) => setTimeout(() => resolve("timer fired"), 0));

describe("a neutral request while the session re-authenticates in place", () => {
	it("should go out and resolve without waiting, and let a 0 ms timer run", async () => {
		server.state.route = (seen) => (seen.path.endsWith("/me") ? { status: 401, body: "{}" } : { status: 200, body: '{"share":"x"}' });
		const store = countingStore({ accessToken: "dead" });
		let finishSignIn: (tokens: TokenSet) => void = () => undefined;
		const client = createClient({
			baseUrl: `${server.state.origin}/api/`,
			auth: { type: "bearer", store },
			reauthenticate: () => new Promise<TokenSet>((resolve) => (finishSignIn = resolve)),
			reloadGuard: { storage: memoryStorage(), history: null },
			tabs: false,
		});
		clients.push(client);
		const stalled = client.get("me");
		stalled.catch(() => undefined);
		await expect.poll(() => client.session.getSnapshot().status).toBe("reauthenticating");

		const readsBefore = store.reads;
		const share = client.get("shares/x", { auth: "neutral" });
		await expect(macrotask()).resolves.toBe("timer fired");
		await expect(share).resolves.toEqual({ share: "x" });
		expect(store.reads - readsBefore).toBeLessThanOrEqual(2);
		expect(client.session.getSnapshot().status).toBe("reauthenticating");

		// The sign-in in place can still finish: the page never froze.
		server.state.route = () => ({ status: 200, body: '{"ok":true}' });
		finishSignIn({ accessToken: "fresh" });
		await expect(stalled).resolves.toEqual({ ok: true });
	});
});

type Event = "startReauth" | "finishReauth" | "logout" | "signIn" | "neutral" | "macrotask";

describe("neutral requests under any schedule of session changes", () => {
	it("should each settle, reading the store at most once per session change it lived through, plus one", async () => {
		server.state.route = (seen) => (seen.headers.authorization === "Bearer dead" && seen.path.endsWith("/me") ? { status: 401, body: "{}" } : { status: 200, body: "{}" });
		await fc.assert(
			fc.asyncProperty(fc.array(fc.constantFrom<Event>("startReauth", "finishReauth", "logout", "signIn", "neutral", "neutral", "macrotask"), { minLength: 1, maxLength: 12 }), async (events) => {
				const store = countingStore({ accessToken: "dead" }, 1_000);
				let finish: ((tokens: TokenSet) => void) | undefined;
				const client = createClient({
					baseUrl: `${server.state.origin}/api/`,
					auth: { type: "bearer", store },
					reauthenticate: () => new Promise<TokenSet>((resolve) => (finish = resolve)),
					reloadGuard: { storage: memoryStorage(), history: null, maxAttempts: 100 },
					tabs: false,
				});
				let sessionChanges = 0;
				const neutral: Promise<unknown>[] = [];
				const others: Promise<unknown>[] = [];
				for (const event of events) {
					if (event === "startReauth") {
						let answered = false;
						others.push(client.get("me").then(() => (answered = true), () => (answered = true)));
						// The 401 comes back over a socket: let it arrive (and the re-authentication begin) before the next step.
						while (!answered && client.session.getSnapshot().status !== "reauthenticating") await macrotask();
					}
					if (event === "finishReauth" && finish) finish({ accessToken: `fresh-${sessionChanges}` });
					if (event === "logout") others.push(client.logout());
					if (event === "signIn") others.push(client.signIn({ accessToken: `signed-${sessionChanges}` }).catch(() => undefined));
					if (event === "neutral") neutral.push(client.get("shares/x", { auth: "neutral" }).catch((error: unknown) => error));
					if (event === "macrotask") await macrotask();
					if (event !== "neutral" && event !== "macrotask") sessionChanges++;
				}
				const outcomes = await Promise.all(neutral);
				for (const outcome of outcomes) expect(outcome).not.toBeInstanceOf(Error);
				expect(store.reads).toBeLessThanOrEqual(events.length * 3 + neutral.length * (sessionChanges + 1));
				client.dispose();
				await Promise.allSettled(others);
			}),
			{ numRuns: Number(process.env.FC_RUNS ?? 60) },
		);
	});
});
