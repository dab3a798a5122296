import { HttpResponse } from "msw";
import { readJsonObject } from "./api.js";
import { badRequest, readLoginOptions, signedInResponse } from "./loginEndpoint.js";
import type { LoginEndpointContext } from "./loginEndpoint.js";
import type { Portal } from "./portal.js";
import { unauthorized } from "./responses.js";

export type SsoEndpointContext = LoginEndpointContext & {
	portal: Portal;
	transact<T>(fn: () => T): T;
};

/**
 * `POST auth.sso` with `{ device?, mode? }`: exchanges the portal's session for the app's own, as Outline
 * does behind ForwardAuth on a page load. New tokens (a new session) for whoever is signed in at the portal;
 * 401 `portal_signed_out` when nobody is.
 */
export async function ssoEndpoint(request: Request, context: SsoEndpointContext): Promise<Response> {
	const body = await readJsonObject(request);
	if (!body) return badRequest("The body must be a JSON object");
	const options = readLoginOptions(body);
	if (options instanceof Response) return options;
	return context.transact(() => {
		const userId = context.portal.userId;
		const user = userId === null ? undefined : context.findUser(userId);
		if (!user) return unauthorized({ error: "portal_signed_out" });
		return signedInResponse(user, context.login(user.id, options));
	});
}

/** `GET auth.portal`: who is signed in at the portal, without starting a session. The SPA asks on page load. */
export function portalEndpoint(context: SsoEndpointContext): Response {
	const userId = context.transact(() => context.portal.userId);
	const user = userId === null ? null : (context.findUser(userId) ?? null);
	return HttpResponse.json({ data: { user } }, { headers: { "cache-control": "no-store" } });
}
