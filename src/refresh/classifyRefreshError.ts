/**
 * How a failed refresh is treated:
 * - `"rejected"`: the credential is dead (HTTP 400 or 401, e.g. `invalid_grant`). Re-authenticate.
 * - `"network"`: no answer, a 408/429 or a 5xx. Retry with backoff; never sign out.
 * - `"timeout"`: the refresh took longer than its bound. Treated like `"network"`.
 * - `"invalid"`: anything else (a bug, a 403, garbage). Surface the error; neither retry nor sign out.
 */
export type RefreshFailureKind = "rejected" | "network" | "timeout" | "invalid";

export function classifyRefreshError(error: unknown): RefreshFailureKind {
	const status = statusOf(error);
	if (status !== undefined) {
		if (status === 400 || status === 401) return "rejected";
		if (status === 408 || status === 429 || status >= 500) return "network";
		return "invalid";
	}
	const name = (error as { name?: unknown } | null)?.name;
	if (name === "TimeoutError") return "timeout";
	// fetch rejects with a TypeError when no response arrives; ky and tokenflight wrap that as NetworkError.
	if (name === "NetworkError" || error instanceof TypeError) return "network";
	return "invalid";
}

/** The HTTP status a refresh function's error carries (`status` or `response.status`), if it got an answer. */
export function statusOf(error: unknown): number | undefined {
	if (typeof error !== "object" || error === null) return undefined;
	const direct = (error as { status?: unknown }).status;
	if (typeof direct === "number") return direct;
	const nested = (error as { response?: { status?: unknown } }).response?.status;
	return typeof nested === "number" ? nested : undefined;
}
