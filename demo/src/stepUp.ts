import { delay, http, HttpResponse } from "msw";
import type { HttpHandler } from "msw";

/**
 * A step-up challenge (RFC 9470): exporting the workspace needs a recent second factor. The session is fine; only
 * this request lacks something, and the server says so with a 401 whose challenge is
 * `Bearer error="insufficient_user_authentication", acr_values="mfa", max_age=300`.
 *
 * - tokenflight (with `stepUp`): no refresh, no reload. The app asks for the second factor (the demo's dialog
 *   confirms by itself, as a security key would), the IdP upgrades the session, and the request is retried.
 * - the naive client: a 401 is a 401. It reloads, and the export is lost.
 *
 * Which credentials have stepped up is kept in localStorage (bearer: the access token; cookie mode: the session's
 * CSRF cookie, since `sid` is HttpOnly), with how often the export answered what.
 */
export const exportPath = "/api/workspace.export";
const key = "demo:step-up";

export type StepUpState = {
	/** Credentials that completed a step-up: the export accepts them. */
	elevated: string[];
	/** What the export answered, by status. */
	exports: Record<string, number>;
	/** How many step-ups the user went through. */
	stepUps: number;
};

export function readStepUp(): StepUpState {
	const fallback: StepUpState = { elevated: [], exports: {}, stepUps: 0 };
	try {
		const value = JSON.parse(localStorage.getItem(key) ?? "null") as Partial<StepUpState> | null;
		if (typeof value !== "object" || value === null) return fallback;
		return {
			elevated: Array.isArray(value.elevated) ? value.elevated.filter((item): item is string => typeof item === "string") : [],
			exports: typeof value.exports === "object" && value.exports !== null ? value.exports : {},
			stepUps: typeof value.stepUps === "number" ? value.stepUps : 0,
		};
	} catch {
		return fallback;
	}
}

function write(state: StepUpState): void {
	localStorage.setItem(key, JSON.stringify(state));
}

/** The IdP upgraded the session of this credential: the export accepts it from now on. */
export function markSteppedUp(credential: string): void {
	const state = readStepUp();
	write({ ...state, elevated: [...new Set([...state.elevated, credential])], stepUps: state.stepUps + 1 });
}

export function forgetStepUp(): void {
	localStorage.removeItem(key);
}

function bearer(request: Request): string | undefined {
	return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

function recordExport(status: number): void {
	const state = readStepUp();
	state.exports[status] = (state.exports[status] ?? 0) + 1;
	write(state);
}

/** The export route, put before the mock backend's handlers (it has no such route). */
export function stepUpHandlers(origin: string): HttpHandler[] {
	return [
		http.post(`${origin}${exportPath}`, async ({ request, cookies }) => {
			await delay(150);
			const credential = bearer(request) ?? cookies.csrfToken;
			let response: Response;
			if (credential === undefined || credential === "") {
				response = HttpResponse.json({ error: "authentication_required" }, { status: 401, headers: { "www-authenticate": "Bearer" } });
			} else if (!readStepUp().elevated.includes(credential)) {
				response = HttpResponse.json(
					{ error: "insufficient_user_authentication", message: "Exporting needs a second factor from the last 5 minutes" },
					{
						status: 401,
						headers: { "www-authenticate": 'Bearer error="insufficient_user_authentication", error_description="A second factor is required", acr_values="mfa", max_age=300' },
					},
				);
			} else {
				response = HttpResponse.json({ data: { file: "acme-workspace.zip" } });
			}
			recordExport(response.status);
			return response;
		}),
	];
}
