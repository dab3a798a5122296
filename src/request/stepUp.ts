import { abortable } from "../core/abortable.js";
import { AuthenticationError, StepUpRequiredError } from "../errors.js";
import type { StepUp, StepUpContext } from "../options.js";
import { isTokenSet } from "../tokens/tokenStores.js";
import { throwIfDisposed, type ClientCore } from "./context.js";

/** Runs the app's `stepUp`, one at a time: concurrent challenges share the handler's call. */
export async function stepUp(core: ClientCore, context: StepUpContext, signal: AbortSignal | undefined): Promise<void> {
	const { session } = core;
	const generation = session.state.generation;
	core.stepUpFlight ??= (async () => {
		try {
			const result = await core.options.stepUp!(context);
			// A logout during the step-up wins: its tokens are not stored.
			if (isTokenSet(result)) {
				if (!(await core.credentials.store(result, generation))) return false;
				session.dispatch({ type: "steppedUp" });
			}
			return result;
		} finally {
			core.stepUpFlight = null;
		}
	})();
	// A logout() while the dialog is open (or after it navigated away) ends the wait: the user left.
	const { signedOut } = session;
	const until = AbortSignal.any([core.disposed, signedOut, ...(signal ? [signal] : [])]);
	const leftOrAborted = (error: unknown) => {
		throwIfDisposed(core);
		if (signal?.aborted) throw error;
		if (signedOut.aborted) throw new AuthenticationError({ request: context.request });
	};
	let result: Awaited<ReturnType<StepUp>>;
	try {
		result = (await abortable(core.stepUpFlight, until)) as Awaited<ReturnType<StepUp>>;
	} catch (error) {
		leftOrAborted(error);
		throw new StepUpRequiredError(context, { request: context.request, challenge: context.challenge, cause: error });
	}
	// Nothing back: the handler navigated away, and the request waits for the page to go (or the user to leave).
	if (!result || signedOut.aborted) {
		await abortable(new Promise<never>(() => {}), until).catch((error: unknown) => {
			leftOrAborted(error);
			throw error;
		});
	}
}
