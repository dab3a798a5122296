/**
 * What an error of the refresh function may keep as `cause`: its name, message and status. An HTTP client's error
 * holds the request it sent, and with it the refresh token or a client secret.
 */
export function safeCause(error: unknown): unknown {
	if (typeof error !== "object" || error === null) return error;
	const { name, message } = error as { name?: unknown; message?: unknown };
	const status = (error as { status?: unknown; response?: { status?: unknown } }).status ?? (error as { response?: { status?: unknown } }).response?.status;
	return { name: typeof name === "string" ? name : "Error", message: typeof message === "string" ? message : "", ...(typeof status === "number" ? { status } : {}) };
}
