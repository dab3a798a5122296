import { HttpResponse } from "msw";
import type { JsonBodyType } from "msw";

/** Every authenticated API response names its user here, so tests can spot a response served to the wrong identity. */
export const identityHeader = "x-user-id";
export const csrfHeader = "x-csrf-token";
export const sessionCookie = "sid";
export const csrfCookie = "csrfToken";

export type OAuthErrorCode = "invalid_request" | "invalid_grant" | "unsupported_grant_type" | "invalid_client" | "server_error" | "temporarily_unavailable";

// RFC 6749 §5.1: token responses must never be cached by the browser or an intermediary.
const noStore = { "cache-control": "no-store", pragma: "no-cache" };

/** A response that carries tokens. */
export function tokenResponse(body: JsonBodyType, extraHeaders: Headers = new Headers()): Response {
	for (const [name, value] of Object.entries(noStore)) extraHeaders.set(name, value);
	return HttpResponse.json(body, { headers: extraHeaders });
}

export function oauthError(error: OAuthErrorCode, description: string, status = 400): Response {
	return HttpResponse.json({ error, error_description: description }, { status, headers: noStore });
}

export function sessionCookies(sessionId: string, csrfToken: string): string[] {
	// The CSRF cookie is readable by scripts on purpose: the client echoes it in the x-csrf-token header.
	return [`${sessionCookie}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`, `${csrfCookie}=${csrfToken}; Path=/; SameSite=Lax`];
}

export type UnauthorizedOptions = {
	/** An RFC 6750 §3 challenge; plain `Bearer` when the request carried no credentials. */
	challenge?: string;
	error?: string;
	clearSessionCookie?: boolean;
};

export function unauthorized({ challenge = "Bearer", error = "authentication_required", clearSessionCookie = false }: UnauthorizedOptions = {}): Response {
	const headers = new Headers({ "www-authenticate": challenge });
	if (clearSessionCookie) {
		// What Outline does: the dead session's cookie is removed so the browser stops presenting it.
		headers.append("set-cookie", `${sessionCookie}=; Max-Age=0; Path=/`);
		headers.append("set-cookie", `${csrfCookie}=; Max-Age=0; Path=/`);
	}
	return HttpResponse.json({ error }, { status: 401, headers });
}

export function invalidTokenChallenge(description?: string): string {
	return description === undefined ? 'Bearer error="invalid_token"' : `Bearer error="invalid_token", error_description="${description}"`;
}
