import { QueryClient } from "@tanstack/react-query";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { createClient } from "tokenflight";
import { bindQueryClient } from "tokenflight/query";
import { App } from "./app.js";
import { log, recordFrames, recordingFetch } from "./recording.js";

/**
 * An Outline-shaped React 19 + TanStack Query 5 app on tokenflight. `?mode=bound` binds the query cache to the session
 * (tokenflight/query) and renders under a SessionBoundary (tokenflight/react); `?mode=naive` is the same app without
 * either, wired by hand as apps are today.
 */
const mode = new URLSearchParams(location.search).get("mode") === "naive" ? "naive" : "bound";
recordFrames(document.getElementById("root")!);

const client = createClient({
	baseUrl: new URL("/api/", location.href),
	auth: { type: "cookie" },
	identity: (response) => response.headers.get("x-user-id"),
	// Someone else signed in at the portal: sign in again in place (the portal still has a session); the requests
	// waiting meanwhile go again once that is done. Any other dead session signs out: the app shows its sign-in screen.
	onSessionEnded: (reason) => (reason === "identity-changed" ? "reauthenticate" : "signOut"),
	reauthenticate: async () => {
		const response = await fetch("/auth/renew", { method: "POST" });
		if (!response.ok) throw new Error("The portal has no session");
	},
	// Retrying is the query cache's job here (its `retry` below), not ky's as well.
	ky: { fetch: recordingFetch, retry: 0 },
});

// The app's own retry: twice, quickly (the default is three times with a backoff of seconds).
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 2, retryDelay: 150, refetchOnWindowFocus: false } } });
if (mode === "bound") bindQueryClient(queryClient, client);

createRoot(document.getElementById("root")!).render(createElement(App, { client, queryClient, mode }));

Object.assign(window, {
	example: {
		mode,
		log,
		session: () => client.session.getSnapshot(),
		cachedQueries: () => queryClient.getQueryCache().getAll().map((query) => ({ key: query.queryKey, status: query.state.status, owner: ownerOf(query.state.data) })),
		refetch: () => queryClient.refetchQueries({ type: "active" }),
	},
});

function ownerOf(data: unknown): string | undefined {
	return /"owner":"(\w+)"/.exec(JSON.stringify(data ?? null))?.[1] ?? /"id":"(alice|bob)"/.exec(JSON.stringify(data ?? null))?.[1];
}
