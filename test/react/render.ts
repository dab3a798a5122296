import { act, createElement, type ReactNode } from "react";
import { createRoot, hydrateRoot, type Root } from "react-dom/client";
import { createSessionState } from "../../src/session/sessionState.js";
import type { SessionSnapshot } from "../../src/index.js";

// React warns when updates happen outside act() unless it is told this is a test environment.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A session a test drives by hand: `client.session` as tokenflight's, `set` moves it. */
export function fakeClient(initial: SessionSnapshot = { status: "authenticated", identity: "alice" }) {
	const state = createSessionState(initial);
	let subscribers = 0;
	const session = {
		getSnapshot: state.store.getSnapshot,
		subscribe(listener: (snapshot: SessionSnapshot) => void) {
			subscribers++;
			const unsubscribe = state.store.subscribe(listener);
			return () => {
				subscribers--;
				unsubscribe();
			};
		},
	};
	return {
		client: { session },
		set: (patch: Partial<SessionSnapshot>) => act(() => state.update(patch)),
		subscribers: () => subscribers,
	};
}

/** Renders into a fresh container with createRoot (or hydrates its `html`), inside act(). */
export async function render(node: ReactNode, html?: string) {
	const container = document.createElement("div");
	document.body.append(container);
	const recoverable: unknown[] = [];
	let root!: Root;
	await act(async () => {
		if (html === undefined) {
			root = createRoot(container);
			root.render(node);
		} else {
			container.innerHTML = html;
			root = hydrateRoot(container, node, { onRecoverableError: (error) => recoverable.push(error) });
		}
	});
	return {
		container,
		recoverable,
		text: () => container.textContent,
		rerender: (next: ReactNode) => act(() => root.render(next)),
		unmount: () => act(() => root.unmount()),
	};
}

export const h = createElement;
