import { describe, expect, it } from "vitest";
import { bindQueryClient } from "../../src/query/index.js";
import type { TokenSet } from "../../src/index.js";
import { useMswServer } from "../helpers/msw.js";
import { createDocumentsApi, createScreen, documentsClient, held, newQueryClient, shows, showsError, until } from "../helpers/queryApi.js";

const server = useMswServer();

/**
 * Alice's access token dies at the server; a refetch of the document list meets the 401 and tokenflight
 * re-authenticates her in place (held until the test finishes it). `me` and the open document are idle meanwhile.
 */
async function inPlaceReauthentication(bind: boolean) {
	const api = createDocumentsApi();
	server.use(api.handler);
	const reauthentication = held<TokenSet>();
	const client = documentsClient(null, { reauthenticate: () => reauthentication.promise });
	await client.signIn({ accessToken: "t-alice" }, "alice");
	const queryClient = newQueryClient(3);
	if (bind) bindQueryClient(queryClient, client);
	const screen = createScreen(queryClient, client);
	for (const key of [["me"], ["documents"], ["documents", "a1"]]) screen.mount(key);
	await until(() => Object.values(screen.frame()).every((result) => result.status === "success"));

	api.tokens.delete("t-alice");
	void queryClient.refetchQueries({ queryKey: ["documents"], exact: true });
	await until(() => client.session.getSnapshot().status === "reauthenticating");
	// A component mounted meanwhile starts a query of its own: it waits with the others.
	screen.mount(["documents", "a2"]);
	await new Promise((resolve) => setTimeout(resolve, 50));
	const during = { frames: screen.frames.length, frame: screen.frame(), status: client.session.getSnapshot().status };

	api.tokens.set("t-alice-2", "alice");
	const resumed = api.requests.length;
	reauthentication.resolve({ accessToken: "t-alice-2" });
	await until(() => client.session.getSnapshot().status === "authenticated");
	await new Promise((resolve) => setTimeout(resolve, 100));
	return { api, frames: screen.frames, during, resumed };
}

describe("bindQueryClient: re-authentication", () => {
	it("while the session re-authenticates, queries wait (pending or fetching) and never show an error", async () => {
		const { frames, during } = await inPlaceReauthentication(true);
		expect(during.status).toBe("reauthenticating");
		expect(during.frame["documents"]).toMatchObject({ status: "success", fetchStatus: "fetching" });
		expect(during.frame["documents/a2"]).toMatchObject({ status: "pending", fetchStatus: "fetching" });
		// Alice is still Alice: her data stays on screen while she is signed in again.
		expect(shows(during.frame, "alice's plan")).toBe(true);
		expect(frames.filter(showsError)).toEqual([]);
	});

	it("once it finished in place, every active query is fetched exactly once (the stalled ones are not sent twice)", async () => {
		const { api, resumed } = await inPlaceReauthentication(true);
		expect(["me", "documents", "documents/a1", "documents/a2"].map((path) => api.count(path, "alice", resumed))).toEqual([1, 1, 1, 1]);
	});

	it("without the binding (the control), the idle queries are not fetched again after the re-authentication", async () => {
		const { api, resumed } = await inPlaceReauthentication(false);
		expect(api.count("me", "alice", resumed)).toBe(0);
	});
});

describe("bindQueryClient: sign-in", () => {
	async function signInAfterSignOut(bind: boolean) {
		const api = createDocumentsApi();
		server.use(api.handler);
		const client = documentsClient(null);
		await client.logout();
		const queryClient = newQueryClient(3);
		if (bind) bindQueryClient(queryClient, client);
		const screen = createScreen(queryClient, client);
		screen.mount(["me"]);
		// Signed out, the request goes without credentials and fails (a session error: not retried when bound).
		await until(() => screen.frame()["me"]?.status === "error");
		const signedIn = api.requests.length;
		await client.signIn({ accessToken: "t-alice" }, "alice");
		await new Promise((resolve) => setTimeout(resolve, 100));
		return { api, screen, signedIn };
	}

	it("a sign-in after a sign-out fetches each active query once, as the new user", async () => {
		const { api, screen, signedIn } = await signInAfterSignOut(true);
		expect(api.count("me", "alice", signedIn)).toBe(1);
		expect(api.count("me", undefined, 0)).toBe(2);
		expect(screen.frame()["me"]).toMatchObject({ status: "success", data: { id: "alice" } });
	});

	it("without the binding (the control), the query stays in its error until something refetches it", async () => {
		const { api, screen, signedIn } = await signInAfterSignOut(false);
		expect(api.count("me", "alice", signedIn)).toBe(0);
		expect(screen.frame()["me"]?.status).toBe("error");
	});
});
