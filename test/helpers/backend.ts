import { http, HttpResponse, delay } from "msw";
import { vi } from "vitest";
import type { RefreshFunction, TokenSet } from "../../src/index.js";

export const origin = "https://app.example";
export const baseUrl = `${origin}/api/`;

type BackendOptions = { refreshDelayMs?: number; accessTtlMs?: number };

/**
 * A small, fully controlled API for unit tests of the core: it accepts exactly the access tokens it issued
 * and rotates refresh tokens, rejecting reuse the way RFC 9700 asks. `refresh` calls it in-process.
 */
export function createBackend(options: BackendOptions = {}) {
	let counter = 0;
	const validAccess = new Set<string>();
	const liveRefresh = new Set<string>();
	const seenAuthorization: (string | null)[] = [];
	const refreshTokensUsed: (string | undefined)[] = [];
	let reuseDetections = 0;
	let concurrentRefreshes = 0;
	let maxConcurrentRefreshes = 0;
	let user = "alice";

	function issue(): TokenSet {
		counter++;
		const tokens = { accessToken: `at-${counter}`, refreshToken: `rt-${counter}`, expiresAt: Date.now() + (options.accessTtlMs ?? 3_600_000) };
		validAccess.add(tokens.accessToken);
		liveRefresh.add(tokens.refreshToken);
		return tokens;
	}

	const refresh = vi.fn<RefreshFunction>(async ({ refreshToken }) => {
		refreshTokensUsed.push(refreshToken);
		concurrentRefreshes++;
		maxConcurrentRefreshes = Math.max(maxConcurrentRefreshes, concurrentRefreshes);
		try {
			if (options.refreshDelayMs) await new Promise((resolve) => setTimeout(resolve, options.refreshDelayMs));
			if (refreshToken === undefined || !liveRefresh.has(refreshToken)) {
				if (refreshToken !== undefined) reuseDetections++;
				throw Object.assign(new Error("invalid_grant"), { status: 400 });
			}
			liveRefresh.delete(refreshToken);
			return issue();
		} finally {
			concurrentRefreshes--;
		}
	});

	const handler = http.all(`${origin}/api/*`, async ({ request }) => {
		const authorization = request.headers.get("authorization");
		seenAuthorization.push(authorization);
		const token = authorization?.replace(/^Bearer /, "");
		if (!token || !validAccess.has(token)) {
			return HttpResponse.json({ error: "authentication_required" }, { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } });
		}
		await delay(1);
		return HttpResponse.json({ path: new URL(request.url).pathname, user }, { headers: { "x-user-id": user } });
	});

	return {
		handler,
		refresh,
		issue,
		/** Every access token issued so far stops working (the server-side expiry). */
		expireAll() {
			validAccess.clear();
		},
		revokeRefreshTokens() {
			liveRefresh.clear();
		},
		switchUser(next: string) {
			user = next;
		},
		get seenAuthorization() {
			return seenAuthorization;
		},
		get refreshTokensUsed() {
			return refreshTokensUsed;
		},
		get reuseDetections() {
			return reuseDetections;
		},
		get maxConcurrentRefreshes() {
			return maxConcurrentRefreshes;
		},
	};
}

export { settle, track } from "./async.js";
