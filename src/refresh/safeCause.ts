/**
 * What an error of the refresh function may keep as `cause`: its name, status and code. Never its message: an HTTP
 * client's error quotes the request it sent (the refresh token, a client secret in the form body), and a token
 * endpoint's error text is free-form server words that may echo either. tokenflight knows neither secret well enough
 * to blank it (a client secret never passes through it), so the text is dropped rather than redacted.
 */
export function safeCause(error: unknown): unknown {
	if (typeof error !== "object" || error === null) return typeof error === "string" ? {} : error;
	const { name, code } = error as { name?: unknown; code?: unknown };
	const status = (error as { status?: unknown }).status ?? (error as { response?: { status?: unknown } }).response?.status;
	return {
		name: typeof name === "string" ? name : "Error",
		...(typeof status === "number" ? { status } : {}),
		// A code names a failure (ECONNRESET, ERR_NETWORK); anything longer or wordier is not one.
		...((typeof code === "string" && /^[A-Z][A-Z0-9_]{0,39}$/.test(code)) || typeof code === "number" ? { code } : {}),
	};
}
