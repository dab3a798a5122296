import { describe, expect, it } from "vitest";
import { bindQueryClient } from "../../src/query/index.js";
import type { TokenSet } from "../../src/index.js";
import { useMswServer } from "../helpers/msw.js";
import { createDocumentsApi, createScreen, documentsClient, held, newQueryClient, shows, showsError, until } from "../helpers/queryApi.js";

const server = useMswServer();

/**
 * Alice's tab; the portal signs Bob in (her credential now answers as Bob); the app refetches, tokenflight sees
 * Bob, re-authenticates in place (held until the test lets it finish), and the stalled requests go again as Bob.
 */
async function identitySwitch(bind: boolean) {
	const api = createDocumentsApi();
	server.use(api.handler);
	api.tokens.set("t-bob", "bob");
	const reauthentication = held<TokenSet>();
	const client = documentsClient(null, { reauthenticate: () => reauthentication.promise });
	await client.signIn({ accessToken: "t-alice" }, "alice");
	const queryClient = newQueryClient(3);
	if (bind) bindQueryClient(queryClient, client, { userScoped: (query) => query.queryKey[0] !== "public" });
	queryClient.setQueryData(["public", "flags"], { search: true });
	const screen = createScreen(queryClient, client);
	screen.mount(["me"]);
	screen.mount(["documents"]);
	await until(() => shows(screen.frame(), "alice chen") && shows(screen.frame(), "alice's plan"));

	api.tokens.set("t-alice", "bob");
	void queryClient.refetchQueries({ type: "active" });
	await until(() => client.session.getSnapshot().status === "reauthenticating");
	await new Promise((resolve) => setTimeout(resolve, 20));
	const during = {
		cache: queryClient.getQueryCache().getAll().map((query) => [query.queryKey, query.state.data]),
		frame: screen.frame(),
	};

	const resumed = api.requests.length;
	reauthentication.resolve({ accessToken: "t-bob" });
	await until(() => shows(screen.frame(), "bob rivera") && shows(screen.frame(), "bob's notes"), 3_000).catch(() => undefined);
	await new Promise((resolve) => setTimeout(resolve, 50));
	return { api, queryClient, frames: screen.frames, during, resumed };
}

describe("bindQueryClient: an identity change removes the user's queries before the next user's data can render", () => {
	it("A → B: A's queries are gone during the re-authentication, no frame shows A after B's first, no error, one fetch each", async () => {
		const { api, queryClient, frames, during, resumed } = await identitySwitch(true);

		// While tokenflight re-authenticates: Alice's user-scoped data left the cache, and the mounted queries show none of it.
		expect(during.cache).toEqual([
			[["public", "flags"], { search: true }],
			[["me"], undefined],
			[["documents"], undefined],
		]);
		expect(shows(during.frame, "alice")).toBe(false);

		const firstBob = frames.findIndex((frame) => shows(frame, "bob"));
		expect(firstBob).toBeGreaterThan(-1);
		expect(frames.slice(firstBob).filter((frame) => shows(frame, "alice"))).toEqual([]);
		expect(frames.filter(showsError)).toEqual([]);
		// Exactly one request per active query once the session is Bob's.
		expect(api.count("me", "bob", resumed)).toBe(1);
		expect(api.count("documents", "bob", resumed)).toBe(1);
		expect(queryClient.getQueryData(["public", "flags"])).toEqual({ search: true });
	});

	it("without the binding (the control), a frame shows Alice's documents beside Bob's name", async () => {
		const { frames } = await identitySwitch(false);
		const firstBob = frames.findIndex((frame) => shows(frame, "bob"));
		expect(firstBob).toBeGreaterThan(-1);
		expect(frames.slice(firstBob).filter((frame) => shows(frame, "alice")).length).toBeGreaterThan(0);
	});

	it("a signIn() as someone else while signed in removes the previous user's queries at once", async () => {
		const api = createDocumentsApi();
		server.use(api.handler);
		api.tokens.set("t-bob", "bob");
		const client = documentsClient(null);
		await client.signIn({ accessToken: "t-alice" }, "alice");
		const queryClient = newQueryClient(3);
		bindQueryClient(queryClient, client);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") });
		expect(queryClient.getQueryCache().getAll()).toHaveLength(1);

		await client.signIn({ accessToken: "t-bob" }, "bob");
		expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") });
		// The same user signing in again is no change: Bob's data stays.
		await client.signIn({ accessToken: "t-bob" }, "bob");
		expect(queryClient.getQueryData(["documents"])).toEqual([{ id: "b1", title: "Bob's notes" }]);
	});
});
