// @vitest-environment happy-dom
import { Component, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { SessionBoundary } from "../../src/react/index.js";
import { AuthenticationError, NotReplayedError, ServerError } from "../../src/index.js";
import { fakeClient, h, render } from "./render.js";

const signIn = h("p", null, "Sign in");
const calm = h("p", null, "Signing you in again…");

function boundary(client: ReturnType<typeof fakeClient>["client"], children: ReactNode) {
	return h(SessionBoundary, { client, signedOut: signIn, reauthenticating: calm }, children);
}

/** The app's own error boundary, outside the session boundary. */
class AppErrors extends Component<{ children?: ReactNode }, { error?: Error }> {
	override state: { error?: Error } = {};
	static getDerivedStateFromError(error: Error) {
		return { error };
	}
	override render() {
		return this.state.error ? h("p", null, `App error: ${this.state.error.message}`) : this.props.children;
	}
}

describe("SessionBoundary", () => {
	it("shows the children, the calm state while re-authenticating, the sign-in screen once signed out, the children again after", async () => {
		const { client, set } = fakeClient({ status: "authenticated", identity: "alice" });
		const view = await render(boundary(client, h("p", null, "Documents")));
		expect(view.text()).toBe("Documents");
		await set({ status: "refreshing" });
		expect(view.text()).toBe("Documents");
		await set({ status: "reauthenticating", reason: "unauthorized" });
		expect(view.text()).toBe("Signing you in again…");
		await set({ status: "signedOut", identity: undefined });
		expect(view.text()).toBe("Sign in");
		await set({ status: "authenticated", identity: "bob" });
		expect(view.text()).toBe("Documents");
		await view.unmount();
	});

	it("a child's session error shows the calm state instead of an error, until the session moves on", async () => {
		vi.spyOn(console, "error").mockImplementation(() => undefined);
		const { client, set } = fakeClient({ status: "authenticated", identity: "alice" });
		let failing = true;
		function Documents() {
			if (failing) throw new NotReplayedError();
			return h("p", null, "Documents");
		}
		const view = await render(h(AppErrors, null, boundary(client, h(Documents))));
		expect(view.text()).toBe("Signing you in again…");
		failing = false;
		await set({ status: "authenticated", identity: "bob" });
		expect(view.text()).toBe("Documents");
		await view.unmount();
	});

	it("an app error that wraps a session error as its cause counts as one", async () => {
		vi.spyOn(console, "error").mockImplementation(() => undefined);
		const { client } = fakeClient();
		function Documents(): ReactNode {
			throw new Error("Could not load", { cause: new AuthenticationError() });
		}
		const view = await render(h(AppErrors, null, boundary(client, h(Documents))));
		expect(view.text()).toBe("Signing you in again…");
		await view.unmount();
	});

	it("any other error goes on to the app's own error boundary", async () => {
		vi.spyOn(console, "error").mockImplementation(() => undefined);
		const { client } = fakeClient();
		function Documents(): ReactNode {
			throw new ServerError(500, { data: { message: "Database is on fire" } });
		}
		const view = await render(h(AppErrors, null, boundary(client, h(Documents))));
		expect(view.text()).toBe("App error: Database is on fire (status 500)");
		await view.unmount();
	});

	it("renders on the server from the server snapshot: the children, or what the given snapshot calls for", () => {
		const { client } = fakeClient({ status: "signedOut" });
		expect(renderToString(boundary(client, h("p", null, "Documents")))).toBe("<p>Documents</p>");
		const signedOut = h(SessionBoundary, { client, signedOut: signIn, serverSnapshot: { status: "signedOut" } }, h("p", null, "Documents"));
		expect(renderToString(signedOut)).toBe("<p>Sign in</p>");
	});

	it("without a reauthenticating element it renders nothing meanwhile", async () => {
		const { client, set } = fakeClient();
		const view = await render(h(SessionBoundary, { client, signedOut: signIn }, h("p", null, "Documents")));
		await set({ status: "reauthenticating", reason: "unauthorized" });
		expect(view.text()).toBe("");
		await view.unmount();
	});
});
