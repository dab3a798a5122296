// Outline's ApiClient surface on tokenflight, against Outline's API shape (test/fixtures/outline): envelopes, x-api-version,
// CSRF with its read-scope exemption, FormData, downloads, share links, error classes, de-duplication and /batch.
import { describe, expect, it, vi } from "vitest";
import AuthStore from "../../examples/outline/AuthStore.js";
import { download } from "../../examples/outline/download.js";
import * as E from "../../examples/outline/errors.js";
import { authEnv, browser, useOutlineBackend, type Doc, type Envelope } from "../helpers/outline.js";

vi.mock("../../examples/outline/download.js", () => ({ download: vi.fn() }));

const { mock } = useOutlineBackend();

async function signedIn(userId = "alice") {
	const tab = browser(mock);
	tab.signIn(userId);
	const client = await tab.load();
	return { tab, client };
}

describe("Outline's ApiClient on tokenflight", () => {
	it("post resolves to Outline's envelope: data, pagination and policies", async () => {
		const { client } = await signedIn();
		const res = await client.post<Envelope<Doc[]>>("/documents.list", { limit: 2 });
		expect(res.ok).toBe(true);
		expect(res.data.map((doc) => doc.title)).toEqual(["Welcome", "Onboarding checklist"]);
		expect(res.pagination).toEqual({ limit: 2, offset: 0, nextPath: "/api/documents.list?limit=2&offset=2" });
		expect(res.policies?.map((policy) => policy.id)).toEqual(["doc_1", "doc_2"]);
	});

	it("get sends its data as the query string", async () => {
		const { client } = await signedIn();
		const res = await client.get<Envelope<{ name: string }>>("/auth.config", { locale: "en" });
		expect(res.data.name).toBe("Acme");
	});

	it("sends x-api-version 4: documents.info answers { document } with ProseMirror data, not Markdown text", async () => {
		const { client } = await signedIn();
		const res = await client.post<Envelope<{ document: Doc }>>("/documents.info", { id: "doc_1" });
		expect(res.data.document.title).toBe("Welcome");
		expect(res.data.document.data).toMatchObject({ type: "doc" });
		expect(res.data.document.text).toBeUndefined();
	});

	it("sends the CSRF cookie's value on mutations; read-scope methods work without it (the server's exemption)", async () => {
		const { tab, client } = await signedIn();
		const updated = await client.post<Envelope<Doc>>("/documents.update", { id: "doc_1", title: "Renamed" });
		expect(updated.data.title).toBe("Renamed");

		tab.page.jar.delete("csrfToken");
		await expect(client.post("/documents.list")).resolves.toMatchObject({ ok: true });
		await expect(client.post("/documents.info", { id: "doc_1" })).resolves.toMatchObject({ ok: true });
		const error = await client.post("/documents.update", { id: "doc_1", title: "Again" }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(E.AuthorizationError);
		expect((error as Error).message).toBe("CSRF token invalid, please try reloading.");
		expect(tab.location.reload).not.toHaveBeenCalled();
		expect(client.client.session.getSnapshot().status).toBe("authenticated");
	});

	it("sends FormData as it is (multipart, with the CSRF header)", async () => {
		const { client } = await signedIn();
		const form = new FormData();
		form.append("id", "doc_2");
		form.append("title", "From a form");
		const res = await client.post<Envelope<Doc>>("/documents.update", form);
		expect(res.data.title).toBe("From a form");
	});

	it("downloads: the body goes to download() under the content-disposition filename", async () => {
		const { client } = await signedIn();
		vi.mocked(download).mockClear();
		const res = await client.post("/documents.export", { id: "doc_1" }, { download: true, headers: { accept: "text/markdown" } });
		expect(res).toBeUndefined();
		expect(download).toHaveBeenCalledTimes(1);
		const [blob, fileName] = vi.mocked(download).mock.calls[0]!;
		expect(fileName).toBe("Welcome.md");
		expect(await (blob as Blob).text()).toBe("# Welcome");
	});

	describe("share links", () => {
		it("are readable anonymously: shareId goes along, no session, no policies", async () => {
			const shareId = mock.share("doc_3");
			const tab = browser(mock); // never signed in
			const client = await tab.load();
			client.setShareId(shareId);
			const res = await client.post<Envelope<{ document: Doc }>>("/documents.info", { id: "meeting-notes" });
			expect(res.data.document.title).toBe("Meeting notes");
			expect(res.policies).toBeUndefined();

			const unpublished = mock.share("doc_2", { published: false });
			client.setShareId(unpublished);
			await expect(client.post("/documents.info", {})).rejects.toBeInstanceOf(E.NotFoundError);
			expect(tab.location.reload).not.toHaveBeenCalled();
		});

		it("send a signed-in viewer's cookies, and a 401 there does not end the session", async () => {
			const { tab, client } = await signedIn();
			const store = new AuthStore(client, authEnv(tab.location));
			const logout = vi.spyOn(store, "logout");
			client.setShareId(mock.share("doc_1"));

			const res = await client.post<Envelope<{ document: Doc }>>("/documents.info", {});
			expect(res.policies?.[0]?.abilities.update).toBe(true); // the viewer's own policies: the cookie went along

			mock.revokeSessions("alice");
			await expect(client.post("/auth.info")).rejects.toBeInstanceOf(E.AuthorizationError);
			const anonymous = await client.post<Envelope<{ document: Doc }>>("/documents.info", {});
			expect(anonymous.policies).toBeUndefined(); // optional auth: a dead cookie reads as anonymous

			expect(logout).not.toHaveBeenCalled();
			expect(tab.location.reload).not.toHaveBeenCalled();
			expect(client.client.session.getSnapshot().status).not.toMatch(/signedOut|reauthenticating/);
			store.dispose();
		});
	});

	describe("errors: Outline's classes by status", () => {
		it.each([
			[400, "invalid_request", E.BadRequestError, "Request invalid"],
			[402, "payment_required", E.PaymentRequiredError, "Payment required"],
			[403, "authorization_error", E.AuthorizationError, "Authorization error"],
			[404, "not_found", E.NotFoundError, "Resource not found"],
			[422, "unprocessable_entity", E.UnprocessableEntityError, "Unprocessable"],
			[429, "rate_limit_exceeded", E.RateLimitExceededError, "Too many requests, try again in a minute."],
			[499, "client_closed_request", E.ClientClosedRequestError, "Client closed request"],
			[502, "bad_gateway", E.BadGatewayError, "Bad gateway"],
			[503, "service_unavailable", E.ServiceUnavailableError, "Service unavailable"],
			[500, "internal_error", E.RequestError, "Error 500"],
		] as const)("%i %s → %o", async (status, error, type, message) => {
			const { tab, client } = await signedIn();
			mock.failNext("documents.list", status, { error, message: status === 429 || status === 500 ? "ignored" : message });
			const thrown = await client.post("/documents.list").catch((e: unknown) => e);
			expect(thrown).toBeInstanceOf(type);
			expect((thrown as Error).message).toBe(message);
			expect(tab.location.reload).not.toHaveBeenCalled();
			expect(client.client.session.getSnapshot().status).toBe("unknown"); // nothing ended, nothing proved
		});

		it("a fetch that throws is a NetworkError, or an OfflineError while navigator.onLine is false", async () => {
			const { client } = await signedIn();
			mock.failNext("documents.list", "network", { count: 2 });
			await expect(client.post("/documents.list")).rejects.toBeInstanceOf(E.NetworkError);
			vi.stubGlobal("navigator", { onLine: false });
			try {
				await expect(client.post("/documents.list")).rejects.toBeInstanceOf(E.OfflineError);
			} finally {
				vi.unstubAllGlobals();
			}
		});
	});

	describe("de-duplication", () => {
		it("identical POSTs in flight share one request; different bodies, FormData and later calls do not", async () => {
			const { client } = await signedIn();
			mock.setLatency(20);
			const same = await Promise.all([1, 2, 3].map(() => client.post<Envelope<Doc[]>>("/documents.list", { limit: 2 })));
			expect(mock.requestsTo("documents.list")).toBe(1);
			expect(same[1]).toEqual(same[0]);
			expect(same[2]).not.toBe(same[0]); // each caller parses its own copy

			await Promise.all([client.post("/documents.list", { limit: 2 }), client.post("/documents.list", { limit: 3 })]);
			expect(mock.requestsTo("documents.list")).toBe(3);

			const [a, b] = [new FormData(), new FormData()];
			for (const form of [a, b]) form.append("id", "doc_1");
			await Promise.all([client.post("/documents.update", a), client.post("/documents.update", b)]);
			expect(mock.requestsTo("documents.update")).toBe(2);
		});
	});

	describe("/batch", () => {
		it("collects the batchable POSTs issued inside batch() into one /batch call, each caller getting its own result", async () => {
			const { client } = await signedIn();
			const [renamed, moved, missing, list] = client.batch(() => [
				client.post<Envelope<Doc>>("/documents.update", { id: "doc_1", title: "One" }),
				client.post<Envelope<Doc>>("/documents.update", { id: "doc_2", title: "Two" }),
				client.post("/documents.update", { id: "doc_404", title: "Nope" }).catch((e: unknown) => e),
				client.post<Envelope<Doc[]>>("/documents.list"), // not batchable: sent on its own
			]);
			expect((await renamed).data.title).toBe("One");
			expect((await moved).policies?.[0]?.id).toBe("doc_2");
			expect(await missing).toBeInstanceOf(E.NotFoundError);
			expect((await list).data).toHaveLength(3);
			expect(mock.requestsTo("batch")).toBe(1);
			expect(mock.requests["documents.update"]).toEqual({ 200: 2, 404: 1 });
		});

		it("splits more than 25 requests into several /batch calls", async () => {
			const { client } = await signedIn();
			const all = client.batch(() => Array.from({ length: 30 }, (_, i) => client.post("/documents.update", { id: "doc_1", title: `T${i}` })));
			await Promise.all(all);
			expect(mock.requestsTo("batch")).toBe(2);
			expect(mock.documents[0]?.title).toBe("T29");
		});

		it("upstream: a 401 inside the reply logs out once, like a top-level one, and rejects the caller", async () => {
			const { tab, client } = await signedIn();
			const store = new AuthStore(client, authEnv(tab.location));
			const logout = vi.spyOn(store, "logout");
			mock.failNext("documents.update", 401, { error: "authentication_required", count: 2 });
			const results = client.batch(() => [1, 2].map((i) => client.post("/documents.update", { id: "doc_1", title: `${i}` }).catch((e: unknown) => e)));
			expect(await Promise.all(results)).toEqual([expect.any(E.AuthorizationError), expect.any(E.AuthorizationError)]);
			await vi.waitFor(() => expect(logout).toHaveBeenCalledExactlyOnceWith({ savePath: true, revokeToken: false, clearCache: false }));
			expect(tab.location.reload).not.toHaveBeenCalled();
			store.dispose();
		});

		it("SSO fork: a 401 inside the reply reloads once and leaves the caller pending", async () => {
			const { tab, client: upstream } = await signedIn();
			upstream.client.dispose();
			const client = await tab.load({ sso: true });
			mock.failNext("documents.update", 401, { error: "authentication_required" });
			let settled = false;
			void client.batch(() => client.post("/documents.update", { id: "doc_1", title: "x" })).finally(() => (settled = true));
			await vi.waitFor(() => expect(tab.location.reload).toHaveBeenCalledTimes(1));
			await new Promise((resolve) => setTimeout(resolve, 50));
			expect(settled).toBe(false);
		});
	});
});
