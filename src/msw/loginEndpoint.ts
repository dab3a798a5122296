import { HttpResponse } from "msw";
import { readJsonObject } from "./api.js";
import { identityHeader, sessionCookies, tokenResponse, unauthorized } from "./responses.js";
import type { MockUser } from "./users.js";

export type LoginOptions = {
	/** A label only: every login starts its own session, whatever the device. */
	device?: string;
	/** Also open a cookie session (`sid` + CSRF token) next to the bearer tokens. */
	cookies?: boolean;
};

export type LoginResult = {
	accessToken: string;
	refreshToken: string;
	/** Epoch milliseconds. */
	expiresAt: number;
	sessionId: string;
	/** Only for cookie logins: the value the client must send in `x-csrf-token`. */
	csrfToken?: string;
};

export type LoginEndpointContext = {
	findUser(id: string): MockUser | undefined;
	login(userId: string, options: LoginOptions): LoginResult;
};

export function badRequest(message: string): Response {
	return HttpResponse.json({ error: "validation_error", message }, { status: 400 });
}

/** `{ device?, mode?: "bearer" | "cookie" }` of a sign-in body as login options, or the 400 that refuses it. */
export function readLoginOptions(body: Record<string, unknown>): LoginOptions | Response {
	const { device, mode = "bearer" } = body;
	if (device !== undefined && typeof device !== "string") return badRequest("device must be a string");
	if (mode !== "bearer" && mode !== "cookie") return badRequest('mode must be "bearer" or "cookie"');
	const cookies = mode === "cookie";
	return device === undefined ? { cookies } : { device, cookies };
}

/** The tokens of a new session, and in cookie mode its `sid` and CSRF cookies. */
export function signedInResponse(user: MockUser, result: LoginResult): Response {
	const headers = new Headers({ [identityHeader]: user.id });
	if (result.csrfToken !== undefined) {
		for (const cookie of sessionCookies(result.sessionId, result.csrfToken)) headers.append("set-cookie", cookie);
	}
	const { accessToken, refreshToken, expiresAt, csrfToken } = result;
	return tokenResponse({ accessToken, refreshToken, expiresAt, user, ...(csrfToken === undefined ? {} : { csrfToken }) }, headers);
}

/** `POST auth.login` with `{ user, device?, mode?: "bearer" | "cookie" }`: the demo's stand-in for a real sign-in. */
export async function loginEndpoint(request: Request, context: LoginEndpointContext): Promise<Response> {
	const body = await readJsonObject(request);
	if (!body) return badRequest("The body must be a JSON object");
	const { user: userId } = body;
	if (typeof userId !== "string" || userId === "") return badRequest("user is required");
	const options = readLoginOptions(body);
	if (options instanceof Response) return options;

	const user = context.findUser(userId);
	if (!user) return unauthorized({ error: "invalid_credentials" });
	return signedInResponse(user, context.login(user.id, options));
}
