import { http } from "msw";
import type { HttpHandler } from "msw";

/**
 * For tests in every engine (classic WebDriver cannot observe requests): each request to the demo's /api/ as it
 * left the page, with the credential it carried (the bearer token, or the x-csrf-token header). Kept in
 * localStorage, so it spans reloads; the last 500. It never answers: every request falls through to the handlers
 * after it.
 */
export const requestLogKey = "demo:request-log";

export type LoggedRequest = { method: string; path: string; authorization: string | null; csrf: string | null };

export function requestLogHandlers(origin: string): HttpHandler[] {
	return [
		http.all(`${origin}/api/*`, ({ request }) => {
			try {
				const entries = JSON.parse(localStorage.getItem(requestLogKey) ?? "[]") as LoggedRequest[];
				entries.push({
					method: request.method,
					path: new URL(request.url).pathname,
					authorization: request.headers.get("authorization"),
					csrf: request.headers.get("x-csrf-token"),
				});
				localStorage.setItem(requestLogKey, JSON.stringify(entries.slice(-500)));
			} catch {
				// A log for tests only: never let it break the demo.
			}
			return undefined;
		}),
	];
}
