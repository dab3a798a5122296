import { delay, http, HttpResponse } from "msw";
import type { HttpHandler } from "msw";
import { randomId } from "./random.js";
import { toMockUsers } from "./users.js";
import type { MockUser, MockUserInput } from "./users.js";

export type MockOutlineServerOptions = {
	/** Default `"https://app.example"`; the API lives under `/api/`. */
	origin?: string;
	/** Default `["alice", "bob"]`, all in one team. */
	users?: readonly MockUserInput[];
	/**
	 * The SSO fork (seed 001): an auth proxy (Traefik ForwardAuth) sits in front and names the portal's user on every
	 * request. A page load signs that user in (a new `accessToken` cookie); an API call whose cookie names someone
	 * else answers 401 and clears the cookie (the fork's mismatch check); with nobody signed in at the portal, the
	 * proxy answers every API call with a 302 to `portalUrl`, an HTML page. Default off: upstream Outline.
	 */
	sso?: boolean;
	/** Where the proxy sends a signed-out portal. Default `${origin}/home`. */
	portalUrl?: string;
	/** Where `attachments.redirect` points (a signed storage URL). Default `"https://files.example"`. */
	filesOrigin?: string;
	/** The server's editor version; a client sending an older major in `x-editor-version` gets `editor_update_required`. */
	editorVersion?: string;
	/** Milliseconds every API call waits before answering. */
	latencyMs?: number;
};

export type MockOutlineDocument = { id: string; title: string; text: string; createdById: string; updatedAt: string };

export type MockOutlineServer = {
	readonly handlers: HttpHandler[];
	readonly users: readonly MockUser[];
	readonly team: { readonly id: string; readonly name: string; readonly url: string };
	readonly documents: readonly MockOutlineDocument[];
	/** Responses per RPC method (`"documents.list"`, `"batch"`, …) per status; batched calls count under their own method. */
	readonly requests: Readonly<Record<string, Readonly<Record<number, number>>>>;
	requestsTo(method: string): number;
	/** What the SPA's page load fetches: sets the CSRF cookie and, under `sso`, the portal user's `accessToken`. */
	readonly pageUrl: string;
	/** Who is signed in at the SSO portal. */
	readonly portalUser: string | null;
	/** A new session, as Outline's `/auth/redirect` sets it: the `accessToken` cookie's value and its Set-Cookie line. */
	login(userId: string): { accessToken: string; setCookie: string };
	/** Every session of the user ends: its cookie answers 401. Returns how many ended. */
	revokeSessions(userId: string): number;
	/** Portal user switch (seed 001): sign someone else in at the portal, or everyone out with `null`. App cookies are untouched. */
	setPortalUser(userId: string | null): void;
	/** An admin suspends the user: every call with their session answers 403 `user_suspended`. */
	suspend(userId: string, suspended?: boolean): void;
	/** A deploy: clients on an older editor major get 400 `editor_update_required`. */
	setEditorVersion(version: string): void;
	/** A share link for a document; published links are readable anonymously. Returns the `shareId`. */
	share(documentId: string, options?: { published?: boolean }): string;
	/**
	 * The next `count` calls to `method` answer `status` with Outline's error body (`"network"`: the connection fails).
	 * Batched calls take them too: the sub-response carries the status.
	 */
	failNext(method: string, failure: number | "network", options?: { error?: string; message?: string; count?: number }): void;
	setLatency(ms: number): void;
	/** Back to the seed: no sessions, shares, suspensions, failures or counts; portal signed out. */
	reset(): void;
};

// Outline's shared/helpers/AuthenticationHelper: methods a read-only scope reaches, exempt from CSRF.
const readMethods = new Set(["config", "list", "info", "search", "documents", "drafts", "viewed", "export", "redirect", "memberships", "group_memberships"]);
// Outline's shared/constants BatchableApiMethods (the document ones) and BatchMaxRequests.
const batchable = new Set(["documents.update", "documents.move", "documents.archive", "documents.restore", "documents.unpublish", "documents.delete"]);
const batchMax = 25;
const seedTitles = ["Welcome", "Onboarding checklist", "Meeting notes"];
const clearAuthCookie = "accessToken=; Max-Age=0; Path=/";

type Session = { userId: string; alive: boolean };
type Input = Record<string, unknown>;
type Ctx = { input: Input; user: MockUser | undefined; apiVersion: number; request: Request };
type Body = Record<string, unknown> | Response;
type Route = { auth: "required" | "optional" | "none"; get?: boolean; run(ctx: Ctx): Body };

/** Thrown by a route: answered as Outline's onerror does, `{ ok: false, error, status, message, data }`. */
class OutlineError extends Error {
	constructor(
		readonly status: number,
		readonly id: string,
		message: string,
		readonly data?: unknown,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

const authenticationRequired = (headers?: Record<string, string>) => new OutlineError(401, "authentication_required", "Authentication required", undefined, headers);

function errorResponse({ status, id, message, data, headers }: OutlineError): Response {
	return HttpResponse.json({ ok: false, error: id, status, message, data }, { status, headers });
}

function major(version: string | null): number {
	return Number.parseInt(version ?? "", 10);
}

/**
 * Outline's API as its SPA sees it: RPC-style `POST /api/<namespace>.<method>` (a few also GET), answers in
 * `{ data, pagination?, policies?, status, ok: true }` envelopes and errors in `{ ok: false, error, status, message }`;
 * the session in an `accessToken` cookie and double-submit CSRF (`csrfToken` cookie, `x-csrf-token` header) on
 * mutations, read-scope methods exempt; `x-api-version` shaping documents; `POST /api/batch`; share links.
 */
export function createMockOutlineServer(options: MockOutlineServerOptions = {}): MockOutlineServer {
	const origin = (options.origin ?? "https://app.example").replace(/\/+$/, "");
	const portalUrl = options.portalUrl ?? `${origin}/home`;
	const filesOrigin = options.filesOrigin ?? "https://files.example";
	const users = toMockUsers(options.users ?? ["alice", "bob"]);
	const team = { id: "team_1", name: "Acme", url: origin };
	const sessions = new Map<string, Session>();
	const csrfTokens = new Set<string>();
	const shares = new Map<string, { documentId: string; published: boolean }>();
	const suspended = new Set<string>();
	const failures: { method: string; failure: number | "network"; error: string | undefined; message: string | undefined }[] = [];
	const requests: Record<string, Record<number, number>> = {};
	let documents: MockOutlineDocument[] = [];
	let portalUser: string | null = null;
	let editorVersion = options.editorVersion ?? "17.0.0";
	let latency = options.latencyMs ?? 0;

	const findUser = (id: string) => users.find((user) => user.id === id);
	function knownUser(id: string): MockUser {
		const user = findUser(id);
		if (!user) throw new Error(`Unknown user "${id}"; known users: ${users.map((u) => u.id).join(", ")}`);
		return user;
	}
	function count(method: string, status: number) {
		const byStatus = (requests[method] ??= {});
		byStatus[status] = (byStatus[status] ?? 0) + 1;
	}
	function login(userId: string) {
		knownUser(userId);
		const accessToken = randomId("jwt");
		sessions.set(accessToken, { userId, alive: true });
		return { accessToken, setCookie: `accessToken=${accessToken}; Path=/; HttpOnly; SameSite=Lax` };
	}
	function seed() {
		documents = seedTitles.map((title, i) => ({ id: `doc_${i + 1}`, title, text: `# ${title}`, createdById: users[0]?.id ?? "", updatedAt: new Date(0).toISOString() }));
	}
	seed();

	const findDocument = (id: unknown) => documents.find((document) => document.id === id) ?? fail(404, "not_found", "Resource not found");
	// x-api-version ≥ 3: ProseMirror JSON in `data` instead of Markdown `text` (server/presenters/document.ts).
	const present = (document: MockOutlineDocument, apiVersion: number) => {
		const { text, ...rest } = document;
		return { ...rest, url: `/doc/${document.id}`, ...(apiVersion >= 3 ? { data: { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text }] }] } } : { text }) };
	};
	const policies = (ids: string[]) => ids.map((id) => ({ id, abilities: { read: true, update: true, delete: true } }));

	const routes: Record<string, Route> = {
		// GET as well as POST here (upstream: POST only), so a JSON route exercises `ApiClient#get`.
		"auth.config": { auth: "none", get: true, run: () => ({ data: { name: team.name, providers: [] } }) },
		"auth.info": {
			auth: "required",
			run: ({ user }) => ({
				data: { user, team, groups: [], groupUsers: [], collaborationToken: randomId("collab", 8), availableTeams: [{ ...team, isSignedIn: true }] },
				policies: policies([team.id]),
			}),
		},
		"auth.delete": { auth: "required", run: () => HttpResponse.json({ success: true, status: 200, ok: true }, { headers: { "set-cookie": clearAuthCookie } }) },
		"documents.list": {
			auth: "required",
			run: ({ input, apiVersion }) => {
				const limit = input.limit === undefined ? 25 : Number(input.limit);
				const offset = input.offset === undefined ? 0 : Number(input.offset);
				if (!Number.isInteger(limit) || limit <= 0 || limit > 100) fail(400, "invalid_request", "Pagination limit must be between 1 and 100");
				if (!Number.isInteger(offset) || offset < 0) fail(400, "invalid_request", "Pagination offset must be greater than or equal to 0");
				const page = documents.slice(offset, offset + limit);
				return {
					pagination: { limit, offset, nextPath: `/api/documents.list?limit=${limit}&offset=${offset + limit}` },
					data: page.map((document) => present(document, apiVersion)),
					policies: policies(page.map((document) => document.id)),
				};
			},
		},
		"documents.info": {
			auth: "optional",
			run: ({ input, user, apiVersion }) => {
				let document: MockOutlineDocument;
				if (input.shareId !== undefined) {
					const share = shares.get(String(input.shareId));
					if (!share || (!share.published && !user)) fail(404, "not_found", "Document could not be found for shareId");
					document = findDocument(share!.documentId);
				} else {
					if (!user) throw authenticationRequired();
					document = findDocument(input.id);
				}
				// An anonymous share viewer gets no policies (the document is public to them).
				const data = present(document, apiVersion);
				return { data: apiVersion >= 2 ? { document: data } : data, policies: user ? policies([document.id]) : undefined };
			},
		},
		"documents.update": {
			auth: "required",
			run: ({ input, apiVersion }) => {
				const document = findDocument(input.id);
				if (input.title !== undefined && (typeof input.title !== "string" || input.title.trim() === "")) fail(400, "validation_error", "title must be a non-empty string");
				if (typeof input.title === "string") document.title = input.title;
				if (typeof input.text === "string") document.text = input.text;
				document.updatedAt = new Date().toISOString();
				return { data: present(document, apiVersion), policies: policies([document.id]) };
			},
		},
		"documents.export": {
			auth: "required",
			run: ({ input }) => {
				const document = findDocument(input.id);
				return new HttpResponse(document.text, {
					headers: { "content-type": "text/markdown", "content-disposition": `attachment; filename="${document.title}.md"` },
				});
			},
		},
		"attachments.redirect": {
			auth: "optional",
			get: true,
			run: ({ input }) => {
				if (typeof input.id !== "string") fail(400, "validation_error", "id is required");
				return new HttpResponse(null, { status: 302, headers: { location: `${filesOrigin}/uploads/${input.id}?signature=${randomId("sig", 8)}` } });
			},
		},
	};

	function fail(status: number, id: string, message: string, data?: unknown): never {
		throw new OutlineError(status, id, message, data);
	}

	/** The failure queued for `method`, as the error it answers with; `"network"` for a dropped connection. */
	function takeFailure(method: string): OutlineError | "network" | undefined {
		const index = failures.findIndex((entry) => entry.method === method);
		if (index === -1) return undefined;
		const [{ failure, error, message }] = failures.splice(index, 1) as [(typeof failures)[number]];
		return failure === "network" ? failure : new OutlineError(failure, error ?? "internal_error", message ?? `Error ${failure}`);
	}

	function run(route: Route, ctx: Ctx): Body {
		if (route.auth === "required" && !ctx.user) throw authenticationRequired();
		return route.run(ctx);
	}

	/** `POST /api/batch`: each allow-listed sub-request runs as the parent's caller; answers `{ data: [{ ok, status, data, policies, error, message }] }`. */
	routes.batch = {
		auth: "required",
		run(ctx) {
			const list = ctx.input.requests;
			if (!Array.isArray(list) || list.length === 0 || list.length > batchMax) fail(400, "validation_error", `requests must hold 1 to ${batchMax} entries`);
			const data = list.map((entry: { method?: unknown; body?: unknown }) => {
				const method = String(entry?.method);
				const input = typeof entry?.body === "object" && entry.body !== null ? (entry.body as Input) : {};
				let result: { ok: boolean; status: number; data?: unknown; policies?: unknown; error?: string; message?: string };
				try {
					const route = batchable.has(method) ? routes[method] : undefined;
					if (!route) fail(400, "invalid_request", `Method not permitted in batch: ${method}`);
					const injected = takeFailure(method);
					if (injected) throw injected === "network" ? new OutlineError(500, "internal_error", "Internal error") : injected;
					const body = run(route, { ...ctx, input });
					result = { status: 200, ok: true, ...(body instanceof Response ? {} : { data: body.data, policies: body.policies }) };
				} catch (error) {
					if (!(error instanceof OutlineError)) throw error;
					result = { status: error.status, ok: false, error: error.id, message: error.message };
				}
				count(method, result.status);
				return result;
			});
			return { data };
		},
	};

	/** server/middlewares/authentication.ts, with the SSO fork's mismatch check. */
	function authenticate(cookies: Record<string, string>, route: Route): MockUser | undefined {
		const token = cookies.accessToken;
		if (!token || route.auth === "none") return undefined;
		try {
			const session = sessions.get(token);
			if (!session?.alive) throw new OutlineError(401, "invalid_authentication", "Invalid authentication");
			// The fork: the proxy names someone else than the cookie does; the stale cookie is cleared.
			if (options.sso && portalUser !== session.userId) throw authenticationRequired({ "set-cookie": clearAuthCookie });
			if (suspended.has(session.userId)) fail(403, "user_suspended", "Your access has been suspended by a workspace admin", { adminEmail: "admin@example.com" });
			return findUser(session.userId);
		} catch (error) {
			// auth({ optional: true }) downgrades bad credentials to anonymous; a 403 always surfaces.
			if (route.auth === "optional" && error instanceof OutlineError && error.status === 401) return undefined;
			throw error;
		}
	}

	/** server/middlewares/csrf.ts: cookie-authenticated mutations need the token, unless a read-only scope reaches the method. */
	function verifyCsrf(request: Request, cookies: Record<string, string>, method: string): void {
		if (request.method !== "POST" || !cookies.accessToken || readMethods.has(method.split(".")[1] ?? "")) return;
		const cookie = cookies.csrfToken;
		if (!cookie) fail(403, "csrf_error", "CSRF token missing from cookie");
		const header = request.headers.get("x-csrf-token");
		if (!header) fail(403, "csrf_error", "CSRF token missing from request");
		if (!csrfTokens.has(cookie) || header !== cookie) fail(403, "csrf_error", "CSRF token mismatch");
	}

	async function readInput(request: Request, url: URL): Promise<Input> {
		const query = Object.fromEntries(url.searchParams);
		if (request.method !== "POST") return query;
		const type = request.headers.get("content-type") ?? "";
		if (type.includes("multipart/form-data")) return { ...query, ...Object.fromEntries(await request.formData()) };
		const text = await request.text();
		if (text.trim() === "") return query;
		try {
			const value: unknown = JSON.parse(text);
			if (typeof value === "object" && value !== null && !Array.isArray(value)) return { ...query, ...(value as Input) };
		} catch {
			// Answered below, as Outline's body parser does.
		}
		return fail(400, "invalid_request", "Request body must be a JSON object");
	}

	type Params = Record<string, string | readonly string[] | undefined>;
	async function api({ request, cookies, params }: { request: Request; cookies: Record<string, string>; params: Params }): Promise<Response> {
		const method = String(params.method);
		if (latency > 0) await delay(latency);
		const injected = takeFailure(method);
		if (injected) {
			count(method, injected === "network" ? 0 : injected.status);
			return injected === "network" ? HttpResponse.error() : errorResponse(injected);
		}
		let response: Response;
		try {
			// The SSO proxy answers first: with nobody signed in at the portal, it sends the browser there.
			if (options.sso && portalUser === null) response = new HttpResponse(null, { status: 302, headers: { location: portalUrl } });
			else {
				const input = await readInput(request, new URL(request.url));
				// server/routes/api/middlewares/editor.ts, then csrf.ts, then the route (and its auth).
				if (major(request.headers.get("x-editor-version")) < major(editorVersion)) {
					fail(400, "editor_update_required", "The client editor is out of date and must be reloaded");
				}
				verifyCsrf(request, cookies, method);
				const route = routes[method];
				if (!route || (request.method === "GET" && !route.get)) return fail(404, "not_found", "Endpoint not found");
				const user = authenticate(cookies, route);
				response = envelope(run(route, { input, user, request, apiVersion: Number(request.headers.get("x-api-version")) || 0 }));
			}
		} catch (error) {
			if (!(error instanceof OutlineError)) throw error;
			response = errorResponse(error);
		}
		count(method, response.status);
		return response;
	}

	function envelope(body: Body): Response {
		return body instanceof Response ? body : HttpResponse.json({ ...body, status: 200, ok: true });
	}

	/** The SPA shell: Outline's attachCSRFToken on GET, and under `sso` the ForwardAuth sign-in of the portal's user. */
	function page(): Response {
		const headers = new Headers({ "content-type": "text/html; charset=utf-8" });
		const csrf = randomId("csrf", 16);
		csrfTokens.add(csrf);
		headers.append("set-cookie", `csrfToken=${csrf}; Path=/; SameSite=Lax`);
		if (options.sso && portalUser !== null) headers.append("set-cookie", login(portalUser).setCookie);
		const title = options.sso && portalUser === null ? "Portal sign-in" : "Outline";
		return new HttpResponse(`<!doctype html><html><head><title>${title}</title></head><body><div id="root"></div></body></html>`, { headers });
	}

	const apiUrl = `${origin}/api/:method`;
	const handlers: HttpHandler[] = [
		http.post(apiUrl, api),
		http.get(apiUrl, api),
		http.get(`${origin}/`, page),
		http.get(`${origin}/home`, page),
		...(portalUrl.startsWith(`${origin}/`) ? [] : [http.get(portalUrl, page)]),
		http.get(`${filesOrigin}/uploads/:id`, ({ params, request }) =>
			HttpResponse.text(`contents of ${String(params.id)}`, { headers: { "x-saw-cookie": String(request.headers.has("cookie")) } }),
		),
	];

	return {
		handlers,
		users,
		team,
		get documents() {
			return documents;
		},
		requests,
		requestsTo: (method) => Object.values(requests[method] ?? {}).reduce((sum, n) => sum + n, 0),
		pageUrl: `${origin}/`,
		get portalUser() {
			return portalUser;
		},
		login,
		revokeSessions(userId) {
			let ended = 0;
			for (const session of sessions.values()) {
				if (session.userId !== userId || !session.alive) continue;
				session.alive = false;
				ended++;
			}
			return ended;
		},
		setPortalUser(userId) {
			if (userId !== null) knownUser(userId);
			portalUser = userId;
		},
		suspend(userId, on = true) {
			knownUser(userId);
			if (on) suspended.add(userId);
			else suspended.delete(userId);
		},
		setEditorVersion(version) {
			editorVersion = version;
		},
		share(documentId, { published = true } = {}) {
			findDocument(documentId);
			const shareId = randomId("share", 8);
			shares.set(shareId, { documentId, published });
			return shareId;
		},
		failNext(method, failure, { error, message, count: times = 1 } = {}) {
			for (let i = 0; i < times; i++) failures.push({ method, failure, error, message });
		},
		setLatency(ms) {
			latency = ms;
		},
		reset() {
			sessions.clear();
			csrfTokens.clear();
			shares.clear();
			suspended.clear();
			failures.length = 0;
			for (const key of Object.keys(requests)) delete requests[key];
			portalUser = null;
			editorVersion = options.editorVersion ?? "17.0.0";
			latency = options.latencyMs ?? 0;
			seed();
		},
	};
}
