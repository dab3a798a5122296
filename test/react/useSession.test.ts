// @vitest-environment happy-dom
import { version } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { useSession } from "../../src/react/index.js";
import { createClient, memoryTokenStore, type SessionSnapshot } from "../../src/index.js";
import { fakeClient, h, render } from "./render.js";

// The main config runs this on React 19, vitest.peers.config.ts on React 18 (test/peers/react18).
const expectedReactMajor = process.env.TOKENFLIGHT_EXPECT_REACT_MAJOR ?? "19";

type Source = Parameters<typeof useSession>[0];
function Status({ client, serverSnapshot }: { client: Source; serverSnapshot?: SessionSnapshot }) {
	const session = useSession(client, serverSnapshot ? { serverSnapshot } : {});
	return h("p", null, `${session.status}:${session.identity ?? "-"}`);
}

describe(`useSession (React ${version})`, () => {
	it("runs on the React major this config pins", () => {
		expect(version.split(".")[0]).toBe(expectedReactMajor);
	});

	it("renders the client's snapshot and follows every change of it", async () => {
		const { client, set } = fakeClient({ status: "authenticated", identity: "alice" });
		const view = await render(h(Status, { client }));
		expect(view.text()).toBe("authenticated:alice");
		await set({ status: "reauthenticating", reason: "identity-changed" });
		expect(view.text()).toBe("reauthenticating:alice");
		await set({ status: "authenticated", identity: "bob" });
		expect(view.text()).toBe("authenticated:bob");
		await view.unmount();
	});

	it("unsubscribes on unmount", async () => {
		const { client, subscribers } = fakeClient();
		const view = await render(h(Status, { client }));
		expect(subscribers()).toBe(1);
		await view.unmount();
		expect(subscribers()).toBe(0);
	});

	it("follows a real client through signIn and logout", async () => {
		const client = createClient({ baseUrl: "https://app.example/api/", auth: { type: "bearer", store: memoryTokenStore(null) }, tabs: false, reloadGuard: { storage: null, history: null } });
		const view = await render(h(Status, { client }));
		expect(view.text()).toBe("unknown:-");
		const { act } = await import("react");
		await act(() => client.signIn({ accessToken: "a" }, "alice"));
		expect(view.text()).toBe("authenticated:alice");
		await act(() => client.logout());
		expect(view.text()).toBe("signedOut:-");
		await view.unmount();
		client.dispose();
	});

	it("server rendering uses the server snapshot (unknown by default), not the client's", () => {
		const { client } = fakeClient({ status: "authenticated", identity: "alice" });
		expect(renderToString(h(Status, { client }))).toBe("<p>unknown:-</p>");
		expect(renderToString(h(Status, { client, serverSnapshot: { status: "authenticated", identity: "carol" } }))).toBe("<p>authenticated:carol</p>");
	});

	it("a client that is not one is a TypeError naming it, in the render that used it", () => {
		expect(() => renderToString(h(Status, { client: {} as Source }))).toThrow(new TypeError("useSession: client must be a tokenflight client; got object"));
		expect(() => renderToString(h(Status, { client: undefined as unknown as Source }))).toThrow(/client must be a tokenflight client; got undefined$/);
	});

	it("hydrates server HTML without a mismatch, then shows the client's session", async () => {
		const { client } = fakeClient({ status: "authenticated", identity: "alice" });
		const html = renderToString(h(Status, { client }));
		const view = await render(h(Status, { client }), html);
		expect(view.recoverable).toEqual([]);
		expect(view.text()).toBe("authenticated:alice");
		await view.unmount();
	});
});
