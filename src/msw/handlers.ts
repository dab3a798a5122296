import { delay, http, HttpResponse } from "msw";
import type { HttpHandler } from "msw";
import { authInfo, createDocument, listDocuments, listDocumentsByQuery, readApiRequest } from "./api.js";
import type { ApiRequest, ApiResult } from "./api.js";
import { authenticate, bearerToken } from "./authenticate.js";
import type { AuthenticationContext, Caller } from "./authenticate.js";
import type { DocumentStore } from "./documents.js";
import { failureResponse } from "./faults.js";
import type { Faults } from "./faults.js";
import { loginEndpoint } from "./loginEndpoint.js";
import { identityHeader } from "./responses.js";
import type { RouteName } from "./routes.js";
import { portalEndpoint, ssoEndpoint } from "./ssoEndpoint.js";
import type { SsoEndpointContext } from "./ssoEndpoint.js";
import { isRefreshGrant, tokenEndpoint } from "./tokenEndpoint.js";
import type { TokenEndpointContext } from "./tokenEndpoint.js";

export type HandlerContext = AuthenticationContext &
	TokenEndpointContext &
	SsoEndpointContext & {
		origin: string;
		apiPath: string;
		faults: Faults;
		documents: DocumentStore;
	};

type ResolverInfo = { request: Request; cookies: Record<string, string> };
type Resolver = (info: ResolverInfo) => Promise<Response>;

/**
 * What every route shares: injected failures first, then latency, then counting the outcome.
 * State is only read and written inside `transact` calls, never across an `await`, so instances sharing
 * a persisted backend (tabs, reloads) see each other's changes on each request.
 */
function instrumented(context: HandlerContext, route: RouteName, resolve: Resolver): Resolver {
	return async (info) => {
		const { transact, faults, counters } = context;
		let finished: (() => void) | undefined;
		try {
			// Taken on arrival, so among parallel requests the first ones to arrive are the ones that fail.
			const { failure, latency } = transact(() => {
				if (route === "token") finished = counters.tokenRequestStarted();
				return { failure: faults.take(route), latency: faults.latencyOf(route) };
			});
			if (route === "token" && (await isRefreshGrant(info.request))) transact(() => counters.increment("refreshCalls"));
			if (latency > 0) await delay(latency);
			const response = failure === undefined ? await resolve(info) : await failureResponse(route, failure, info.request.signal);
			transact(() => counters.recordResponse(route, response.status));
			return response;
		} finally {
			finished?.();
		}
	};
}

type ApiResolver = (request: ApiRequest, caller: Caller) => ApiResult;

function protectedRoute(context: HandlerContext, route: RouteName, resolve: ApiResolver): Resolver {
	return instrumented(context, route, async ({ request, cookies }) => {
		const apiRequest = await readApiRequest(request);
		const token = bearerToken(request);
		if (token !== undefined) await context.awaitCredential(token);
		return context.transact(() => {
			const caller = authenticate(request, cookies, context);
			if (caller instanceof Response) return caller;
			const { status = 200, body } = resolve(apiRequest, caller);
			return HttpResponse.json(body, { status, headers: { [identityHeader]: caller.user.id } });
		});
	});
}

export function createHandlers(context: HandlerContext): HttpHandler[] {
	const { origin, documents } = context;
	const api = `${origin}${context.apiPath}`;
	const info = protectedRoute(context, "auth.info", (_request, caller) => authInfo(caller));
	return [
		http.post(`${origin}/oauth/token`, instrumented(context, "token", ({ request }) => tokenEndpoint(request, context))),
		http.post(`${api}/auth.login`, instrumented(context, "login", ({ request }) => loginEndpoint(request, context))),
		http.post(`${api}/auth.sso`, instrumented(context, "sso", ({ request }) => ssoEndpoint(request, context))),
		http.get(`${api}/auth.portal`, instrumented(context, "portal", async () => portalEndpoint(context))),
		http.post(`${api}/auth.info`, info),
		http.get(`${api}/auth.info`, info),
		http.post(`${api}/documents.list`, protectedRoute(context, "documents.list", (request, caller) => listDocuments(request, caller, documents))),
		http.get(`${api}/documents`, protectedRoute(context, "documents.list", (request, caller) => listDocumentsByQuery(request, caller, documents))),
		http.post(`${api}/documents.create`, protectedRoute(context, "documents.create", (request, caller) => createDocument(request, caller, documents))),
	];
}
