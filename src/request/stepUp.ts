import { abortable } from "../core/abortable.js";
import { StepUpRequiredError } from "../errors.js";
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
	const until = signal ? AbortSignal.any([signal, core.disposed]) : core.disposed;
	let result: Awaited<ReturnType<StepUp>>;
	try {
		result = (await abortable(core.stepUpFlight, until)) as Awaited<ReturnType<StepUp>>;
	} catch (error) {
		throwIfDisposed(core);
		if (signal?.aborted) throw error;
		throw new StepUpRequiredError(context, { request: context.request, challenge: context.challenge, cause: error });
	}
	// Nothing back: the handler navigated away, and the request waits for the page to go.
	if (!result) {
		await abortable(new Promise<never>(() => {}), until).catch((error: unknown) => {
			throwIfDisposed(core);
			throw error;
		});
	}
}
