import { describe, expect, it } from "vitest";
import { bindQueryClient, isSessionError } from "../../src/query/index.js";
import {
	AuthenticationError,
	InsufficientScopeError,
	InvalidCredentialError,
	NetworkError,
	NotReplayedError,
	RedirectError,
	RefreshError,
	ServerError,
	StepUpRequiredError,
	TokenStoreError,
	UseDPoPNonceError,
} from "../../src/index.js";
import { useMswServer } from "../helpers/msw.js";
import { createDocumentsApi, documentsClient, newQueryClient } from "../helpers/queryApi.js";

const server = useMswServer();

async function setup(retry: number | boolean = 3) {
	const api = createDocumentsApi();
	server.use(api.handler);
	const client = documentsClient(null);
	await client.signIn({ accessToken: "t-alice" }, "alice");
	const queryClient = newQueryClient(retry);
	return { api, client, queryClient };
}

const stepUp = { status: 401, body: { error: "insufficient_user_authentication" }, headers: { "www-authenticate": 'Bearer error="insufficient_user_authentication", acr_values="mfa"' } };
const scope = { status: 403, body: { error: "insufficient_scope" }, headers: { "www-authenticate": 'Bearer error="insufficient_scope", scope="documents:read"' } };

describe("bindQueryClient: session errors are never retried, everything else follows the app's retry", () => {
	it.each([
		["StepUpRequiredError", stepUp],
		["InsufficientScopeError", scope],
	])("a %s fails the query after one request, though the app's retry is 3", async (name, fault) => {
		const { api, client, queryClient } = await setup();
		const unbind = bindQueryClient(queryClient, client);
		api.faults.set("documents", fault);

		const error = await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") }).catch((caught: unknown) => caught);

		expect((error as Error).name).toBe(name);
		expect(api.count("documents")).toBe(1);
		expect(client.session.getSnapshot().status).toBe("authenticated");
		unbind();
	});

	it("without the binding the same step-up challenge is sent four times (the control)", async () => {
		const { api, client, queryClient } = await setup();
		api.faults.set("documents", stepUp);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") }).catch(() => undefined);
		expect(api.count("documents")).toBe(4);
	});

	it("a query's own retry (5) does not retry a session error either, and a 500 still gets all 5", async () => {
		const { api, client, queryClient } = await setup();
		bindQueryClient(queryClient, client);
		api.faults.set("documents", stepUp);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents"), retry: 5 }).catch(() => undefined);
		expect(api.count("documents")).toBe(1);

		api.faults.set("me", { status: 500, body: { message: "Database is on fire" } });
		const error = await queryClient.fetchQuery({ queryKey: ["me"], queryFn: () => client.get("me"), retry: 5 }).catch((caught: unknown) => caught);
		expect(api.count("me")).toBe(6);
		expect(error).toBeInstanceOf(ServerError);
		expect((error as Error).message).toContain("Database is on fire");
		expect(client.session.getSnapshot().status).toBe("authenticated");
	});

	it("the app's retry function decides for every other error, with the failure count and the error", async () => {
		const { api, client, queryClient } = await setup();
		const seen: [number, string][] = [];
		queryClient.setDefaultOptions({ queries: { retryDelay: 0, retry: (count, error) => (seen.push([count, (error as Error).name]), count < 2) } });
		bindQueryClient(queryClient, client);
		api.faults.set("me", { status: 503, body: { message: "busy" } });
		await queryClient.fetchQuery({ queryKey: ["me"], queryFn: () => client.get("me") }).catch(() => undefined);
		expect(seen).toEqual([
			[0, "ServerError"],
			[1, "ServerError"],
			[2, "ServerError"],
		]);
		expect(api.count("me")).toBe(3);
		seen.length = 0;
		api.faults.set("documents", stepUp);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") }).catch(() => undefined);
		expect(seen).toEqual([]);
	});

	it("retry: false and a number keep their meaning for other errors", async () => {
		const { api, client, queryClient } = await setup(false);
		bindQueryClient(queryClient, client);
		api.faults.set("me", { status: 500, body: {} });
		await queryClient.fetchQuery({ queryKey: ["me"], queryFn: () => client.get("me") }).catch(() => undefined);
		expect(api.count("me")).toBe(1);
		await queryClient.fetchQuery({ queryKey: ["me", 2], queryFn: () => client.get("me"), retry: 1 }).catch(() => undefined);
		expect(api.count("me")).toBe(3);
	});

	it("mutations: a session error is not retried under the app's mutation retry", async () => {
		const { api, client, queryClient } = await setup();
		bindQueryClient(queryClient, client);
		api.faults.set("documents", stepUp);
		const mutation = queryClient.getMutationCache().build(queryClient, { mutationFn: () => client.get("documents") });
		await mutation.execute(undefined).catch(() => undefined);
		expect(api.count("documents")).toBe(1);
	});

	it("unbind restores the client's own options: the session error is retried again", async () => {
		const { api, client, queryClient } = await setup();
		const before = queryClient.defaultQueryOptions;
		const unbind = bindQueryClient(queryClient, client);
		expect(queryClient.defaultQueryOptions).not.toBe(before);
		unbind();
		expect(queryClient.defaultQueryOptions).toBe(before);
		expect(Object.hasOwn(queryClient, "defaultQueryOptions")).toBe(false);
		api.faults.set("documents", stepUp);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") }).catch(() => undefined);
		expect(api.count("documents")).toBe(4);
	});

	it.each([
		["in the order they were bound", [0, 1]],
		["in reverse", [1, 0]],
	])("two bindings of one QueryClient, unbound %s, leave the app's retry as it was", async (_order, order) => {
		const { api, client, queryClient } = await setup();
		const unbinds = [bindQueryClient(queryClient, client), bindQueryClient(queryClient, client)];
		api.faults.set("documents", stepUp);
		await queryClient.fetchQuery({ queryKey: ["documents"], queryFn: () => client.get("documents") }).catch(() => undefined);
		expect(api.count("documents")).toBe(1);
		for (const index of order) unbinds[index]!();
		await queryClient.fetchQuery({ queryKey: ["documents", 2], queryFn: () => client.get("documents") }).catch(() => undefined);
		expect(api.count("documents")).toBe(5);
	});
});

describe("isSessionError", () => {
	it.each([
		new AuthenticationError(),
		new NotReplayedError(),
		new StepUpRequiredError({}),
		new InsufficientScopeError(undefined),
		new UseDPoPNonceError(),
		new RefreshError("refresh failed"),
		new InvalidCredentialError("access token"),
		new TokenStoreError(),
		new RedirectError(),
	])("is true for %s, and for an app error that wraps it as its cause", (error) => {
		expect(isSessionError(error)).toBe(true);
		expect(isSessionError(new Error("the app's own", { cause: error }))).toBe(true);
		// Another copy of the package (or another realm): a plain object with the same name and code.
		expect(isSessionError({ name: error.name, code: error.code, message: error.message })).toBe(true);
	});

	it.each([new ServerError(500), new NetworkError(), new Error("AuthenticationError"), { name: "AuthenticationError" }, null, "AuthenticationError"])("is false for %s", (error) => {
		expect(isSessionError(error)).toBe(false);
	});
});
