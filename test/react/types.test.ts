import { QueryClient } from "@tanstack/query-core";
import type { ReactNode } from "react";
import { describe, expectTypeOf, it } from "vitest";
import { createClient, memoryTokenStore, type Client, type SessionSnapshot, type SessionStatus, type SessionStore } from "../../src/index.js";
import { bindQueryClient, isSessionError, type BindQueryClientOptions } from "../../src/query/index.js";
import { SessionBoundary, useSession, type SessionBoundaryProps, type UseSessionOptions } from "../../src/react/index.js";

// Checked by `npm run typecheck` (tsc over test/); the runtime part only makes sure the file loads.
describe("types of tokenflight/react and tokenflight/query", () => {
	const client: Client = createClient({ baseUrl: "https://app.example/api/", auth: { type: "bearer", store: memoryTokenStore(null) }, tabs: false, reloadGuard: { storage: null, history: null } });

	it("useSession takes a client (or anything with a session store) and returns its snapshot", () => {
		expectTypeOf(useSession).parameter(0).toEqualTypeOf<{ session: SessionStore }>();
		expectTypeOf(useSession).toBeCallableWith(client);
		expectTypeOf(useSession).toBeCallableWith(client, { serverSnapshot: { status: "unknown" } });
		expectTypeOf(useSession).returns.toEqualTypeOf<SessionSnapshot>();
		expectTypeOf<ReturnType<typeof useSession>["status"]>().toEqualTypeOf<SessionStatus>();
		expectTypeOf<UseSessionOptions["serverSnapshot"]>().toEqualTypeOf<SessionSnapshot | undefined>();
		// Never called: hooks only run inside a component.
		void (() => {
			// @ts-expect-error a status that does not exist
			useSession(client, { serverSnapshot: { status: "loggedIn" } });
		});
	});

	it("SessionBoundary requires the client and the sign-in screen; the calm state is optional", () => {
		expectTypeOf<SessionBoundaryProps>().toHaveProperty("client").toEqualTypeOf<{ session: SessionStore }>();
		expectTypeOf<SessionBoundaryProps["signedOut"]>().toEqualTypeOf<ReactNode>();
		expectTypeOf<SessionBoundaryProps["reauthenticating"]>().toEqualTypeOf<ReactNode | undefined>();
		expectTypeOf(SessionBoundary).returns.toEqualTypeOf<ReactNode>();
		expectTypeOf(SessionBoundary).toBeCallableWith({ client, signedOut: "Sign in", children: "Documents" });
		void (() => {
			// @ts-expect-error signedOut is required
			SessionBoundary({ client, children: "Documents" });
		});
	});

	it("bindQueryClient takes a QueryClient, a client and options, and returns the unbind", () => {
		const queryClient = new QueryClient();
		expectTypeOf(bindQueryClient).parameter(0).toEqualTypeOf<QueryClient>();
		expectTypeOf(bindQueryClient).toBeCallableWith(queryClient, client);
		expectTypeOf(bindQueryClient).toBeCallableWith(queryClient, client, { userScoped: (query) => query.queryKey[0] !== "public" });
		expectTypeOf(bindQueryClient).returns.toEqualTypeOf<() => void>();
		expectTypeOf<NonNullable<BindQueryClientOptions["userScoped"]>>().parameter(0).toHaveProperty("queryKey");
		expectTypeOf(isSessionError).toEqualTypeOf<(error: unknown) => boolean>();
		void (() => {
			// @ts-expect-error the predicate gets a Query, not a key
			bindQueryClient(queryClient, client, { userScoped: (key: string[]) => key.length > 0 });
		});
		client.dispose();
	});
});
