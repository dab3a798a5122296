import { QueryClientProvider, useQuery, useQueryClient, type QueryClient, type UseQueryResult } from "@tanstack/react-query";
import { createElement as h, useState, type ReactNode } from "react";
import type { Client } from "tokenflight";
import { SessionBoundary, useSession } from "tokenflight/react";
import { delivered } from "./recording.js";

type User = { id: string; name: string };
type DocumentSummary = { id: string; title: string; owner: string };
type DocumentFull = DocumentSummary & { text: string };

export function App({ client, queryClient, mode }: { client: Client; queryClient: QueryClient; mode: "bound" | "naive" }): ReactNode {
	const workspace = h(Workspace, { client, mode });
	return h(
		QueryClientProvider,
		{ client: queryClient },
		mode === "bound"
			? h(SessionBoundary, { client, signedOut: h(SignIn, { client }), reauthenticating: h(SigningInAgain) }, workspace)
			: h(NaiveGate, { client }, workspace),
	);
}

/** What the app did before tokenflight/react: read the session by hand, show the sign-in screen once it ended. */
function NaiveGate({ client, children }: { client: Client; children?: ReactNode }): ReactNode {
	return useSession(client).status === "signedOut" ? h(SignIn, { client }) : children;
}

function Workspace({ client, mode }: { client: Client; mode: string }): ReactNode {
	const [selected, setSelected] = useState<string>();
	const me = useQuery({ queryKey: ["auth.info"], queryFn: ({ signal }) => load<{ user: User }>(client, "auth.info", signal).then((data) => data.user) });
	const list = useQuery({ queryKey: ["documents.list"], queryFn: ({ signal }) => load<DocumentSummary[]>(client, "documents.list", signal) });
	// The open document: the one picked, while the list has it; otherwise the first.
	const documentId = list.data?.some((doc) => doc.id === selected) ? selected : list.data?.[0]?.id;
	const document = useQuery({
		queryKey: ["documents.info", documentId],
		queryFn: ({ signal }) => load<DocumentFull>(client, `documents.info?id=${documentId}`, signal),
		enabled: documentId !== undefined,
	});
	return h(
		"div",
		{ "data-view": "workspace" },
		h(
			"header",
			null,
			h("strong", null, "Docs"),
			h("span", { className: `mode ${mode}` }, mode === "bound" ? "bound: tokenflight/query + SessionBoundary" : "naive: no bindings"),
			h(RefreshButton),
			h("span", { id: "current-user", style: { marginLeft: "auto" } }, area(me, (user) => h("span", { "data-owner": user.id }, user.name))),
		),
		h(
			"main",
			null,
			h(
				"nav",
				{ "aria-label": "Documents" },
				area(list, (docs) =>
					h(
						"ul",
						null,
						docs.map((doc) =>
							h("li", { key: doc.id }, h("button", { "data-owner": doc.owner, "aria-current": doc.id === documentId, onClick: () => setSelected(doc.id) }, doc.title)),
						),
					),
				),
			),
			h("article", { id: "document" }, area(document, (doc) => h("div", { "data-owner": doc.owner }, h("h1", null, doc.title), h("p", null, doc.text)))),
		),
	);
}

/** An Outline-style API call: `{ data }` out of the body. The query's `signal` stops the request when the query is dropped. */
async function load<T>(client: Client, path: string, signal: AbortSignal): Promise<T> {
	const { data } = await client.get<{ data: T }>(path, { signal });
	delivered(path, data);
	return data;
}

/** A query's area: loading, its error (the server's own message), or its data. */
function area<T>(query: UseQueryResult<T>, render: (data: T) => ReactNode): ReactNode {
	if (query.isError) return h("p", { className: "error", role: "alert", "data-error": "" }, query.error.message);
	if (query.data === undefined) return h("span", { className: "muted" }, query.fetchStatus === "idle" ? "" : "Loading…");
	return render(query.data);
}

/** Coming back to the tab: every query on screen fetches again. */
function RefreshButton(): ReactNode {
	const queryClient = useQueryClient();
	return h("button", { type: "button", onClick: () => void queryClient.refetchQueries({ type: "active" }) }, "Refresh");
}

function SigningInAgain(): ReactNode {
	return h("div", { className: "calm", role: "status", "data-view": "reauthenticating" }, h("h2", null, "Signing you in again…"), h("p", { className: "muted" }, "One moment."));
}

function SignIn({ client }: { client: Client }): ReactNode {
	const signIn = async (user: string) => {
		const response = await fetch("/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user }) });
		if (response.ok) await client.signIn(undefined, user);
	};
	return h(
		"div",
		{ className: "sign-in", "data-view": "sign-in" },
		h("h2", null, "Sign in"),
		h("p", { className: "muted" }, "Your session has ended."),
		h("button", { type: "button", onClick: () => void signIn("alice") }, "Sign in as Alice"),
		" ",
		h("button", { type: "button", onClick: () => void signIn("bob") }, "Sign in as Bob"),
	);
}
