import { describe, expect, it } from "vitest";
import { bindQueryClient } from "../../src/query/index.js";
import { useMswServer } from "../helpers/msw.js";
import { createDocumentsApi, createScreen, documentsClient, newQueryClient, shows, showsError, until } from "../helpers/queryApi.js";

const server = useMswServer();

/** Alice's session dies at the server under the `signOut` policy while two queries refetch; the app's retry is 3. */
async function deadSession(bind: boolean) {
	const api = createDocumentsApi();
	server.use(api.handler);
	const client = documentsClient(null, { onSessionEnded: "signOut" });
	await client.signIn({ accessToken: "t-alice" }, "alice");
	const queryClient = newQueryClient(3);
	if (bind) bindQueryClient(queryClient, client);
	const screen = createScreen(queryClient, client);
	// The app's SessionBoundary: the sign-in screen replaces the tree once the session is signed out.
	client.session.subscribe((snapshot) => snapshot.status === "signedOut" && screen.unmountAll());
	screen.mount(["me"]);
	screen.mount(["documents"]);
	await until(() => shows(screen.frame(), "alice chen") && shows(screen.frame(), "alice's plan"));
	const before = api.requests.length;

	api.tokens.delete("t-alice");
	void queryClient.refetchQueries({ type: "active" });
	await until(() => client.session.getSnapshot().status === "signedOut");
	await new Promise((resolve) => setTimeout(resolve, 50));
	return { api, queryClient, frames: screen.frames, sent: api.requests.length - before };
}

describe("bindQueryClient: a sign-out removes the user's queries", () => {
	it("the cache is empty, no query ever shows an error, and no 401 is retried", async () => {
		const { queryClient, frames, sent } = await deadSession(true);
		expect(queryClient.getQueryCache().getAll()).toEqual([]);
		expect(frames.filter(showsError)).toEqual([]);
		expect(sent).toBe(2);
	});

	it("without the binding (the control), Alice's data stays in the cache for whoever signs in next", async () => {
		const { queryClient } = await deadSession(false);
		expect(JSON.stringify(queryClient.getQueryCache().getAll().map((query) => query.state.data))).toContain("Alice");
	});

	it("logout() clears the cache too", async () => {
		const api = createDocumentsApi();
		server.use(api.handler);
		const client = documentsClient(null);
		await client.signIn({ accessToken: "t-alice" }, "alice");
		const queryClient = newQueryClient(3);
		bindQueryClient(queryClient, client);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") });
		await client.logout();
		expect(queryClient.getQueryCache().getAll()).toEqual([]);
	});
});
