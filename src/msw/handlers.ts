import { delay, http, HttpResponse } from "msw";
import type { HttpHandler } from "msw";
import { authInfo, createDocument, listDocuments, listDocumentsByQuery } from "./api.js";
import type { ApiResult } from "./api.js";
import { authenticate } from "./authenticate.js";
import type { AuthenticationContext, Caller } from "./authenticate.js";
import type { DocumentStore } from "./documents.js";
import { failureResponse } from "./faults.js";
import type { Faults } from "./faults.js";
import { loginEndpoint } from "./loginEndpoint.js";
import type { LoginEndpointContext } from "./loginEndpoint.js";
import { identityHeader } from "./responses.js";
import type { RouteName } from "./routes.js";
import { isRefreshGrant, tokenEndpoint } from "./tokenEndpoint.js";
import type { TokenEndpointContext } from "./tokenEndpoint.js";

export type HandlerContext = AuthenticationContext &
	TokenEndpointContext &
	LoginEndpointContext & {
		origin: string;
		apiPath: string;
		faults: Faults;
		documents: DocumentStore;
	};

type ResolverInfo = { request: Request; cookies: Record<string, string> };
type Resolver = (info: ResolverInfo) => Promise<Response>;

/** What every route shares: injected failures first, then latency, then counting the outcome. */
function instrumented(context: HandlerContext, route: RouteName, resolve: Resolver): Resolver {
	return async (info) => {
		const finished = route === "token" ? context.counters.tokenRequestStarted() : undefined;
		try {
			// Taken on arrival, so among parallel requests the first ones to arrive are the ones that fail.
			const failure = context.faults.take(route);
			if (route === "token" && (await isRefreshGrant(info.request))) context.counters.increment("refreshCalls");
			const latency = context.faults.latencyOf(route);
			if (latency > 0) await delay(latency);
			const response = failure === undefined ? await resolve(info) : await failureResponse(route, failure, info.request.signal);
			context.counters.recordResponse(route, response.status);
			return response;
		} finally {
			finished?.();
		}
	};
}

type ApiResolver = (request: Request, caller: Caller) => ApiResult | Promise<ApiResult>;

function protectedRoute(context: HandlerContext, route: RouteName, resolve: ApiResolver): Resolver {
	return instrumented(context, route, async ({ request, cookies }) => {
		const caller = authenticate(request, cookies, context);
		if (caller instanceof Response) return caller;
		const { status = 200, body } = await resolve(request, caller);
		return HttpResponse.json(body, { status, headers: { [identityHeader]: caller.user.id } });
	});
}

export function createHandlers(context: HandlerContext): HttpHandler[] {
	const { origin, documents } = context;
	const api = `${origin}${context.apiPath}`;
	const info = protectedRoute(context, "auth.info", (_request, caller) => authInfo(caller));
	return [
		http.post(`${origin}/oauth/token`, instrumented(context, "token", ({ request }) => tokenEndpoint(request, context))),
		http.post(`${api}/auth.login`, instrumented(context, "login", ({ request }) => loginEndpoint(request, context))),
		http.post(`${api}/auth.info`, info),
		http.get(`${api}/auth.info`, info),
		http.post(`${api}/documents.list`, protectedRoute(context, "documents.list", (request, caller) => listDocuments(request, caller, documents))),
		http.get(`${api}/documents`, protectedRoute(context, "documents.list", (request, caller) => listDocumentsByQuery(request, caller, documents))),
		http.post(`${api}/documents.create`, protectedRoute(context, "documents.create", (request, caller) => createDocument(request, caller, documents))),
	];
}
