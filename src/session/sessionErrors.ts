// Errors about the session, not the request: sending the same request again cannot help, and a NotReplayedError's
// request must never be sent again. Matched by name as isApiError does, so copies of the package and realms agree.
const sessionErrors = new Set([
	"AuthenticationError",
	"NotReplayedError",
	"StepUpRequiredError",
	"InsufficientScopeError",
	"UseDPoPNonceError",
	"RefreshError",
	"InvalidCredentialError",
	"TokenStoreError",
	"RedirectError",
]);

/**
 * True for tokenflight's session errors (`AuthenticationError`, `NotReplayedError`, `StepUpRequiredError`, …), also
 * when an app's `errorFor` wrapped one as the `cause` of its own.
 */
export function isSessionError(error: unknown): boolean {
	for (let depth = 0; depth < 4 && typeof error === "object" && error !== null; depth++) {
		const { name, code, cause } = error as { name?: unknown; code?: unknown; cause?: unknown };
		if (sessionErrors.has(name as string) && typeof code === "string") return true;
		error = cause;
	}
	return false;
}
