import { QueryClient } from "@tanstack/query-core";
import { describe, expect, it } from "vitest";
import { bindQueryClient } from "../../src/query/index.js";
import { documentsClient } from "../helpers/queryApi.js";

describe("bindQueryClient: wrong arguments", () => {
	const client = documentsClient(null);

	it("a queryClient that is not a QueryClient is a TypeError naming it", () => {
		expect(() => bindQueryClient({} as QueryClient, client)).toThrow(new TypeError("bindQueryClient: queryClient must be a QueryClient; got object"));
		expect(() => bindQueryClient(undefined as unknown as QueryClient, client)).toThrow(/queryClient must be .*; got undefined$/);
	});

	it("a client without a session store is a TypeError naming it", () => {
		expect(() => bindQueryClient(new QueryClient(), null as unknown as typeof client)).toThrow(new TypeError("bindQueryClient: client must be a tokenflight client; got null"));
	});

	it("a userScoped that is not a function is a TypeError naming the option", () => {
		expect(() => bindQueryClient(new QueryClient(), client, { userScoped: ["documents"] as never })).toThrow(
			new TypeError("bindQueryClient: options.userScoped must be a function of a query; got object"),
		);
	});

	it("nothing is patched when the arguments are wrong", () => {
		const queryClient = new QueryClient();
		expect(() => bindQueryClient(queryClient, client, { userScoped: "all" as never })).toThrow(TypeError);
		expect(Object.hasOwn(queryClient, "defaultQueryOptions")).toBe(false);
	});
});
