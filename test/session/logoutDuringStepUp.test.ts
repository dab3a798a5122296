// README: after logout() every waiting request rejects with AuthenticationError. A request waiting for a step-up
// dialog (RFC 9470) is waiting too: logging out while the dialog is open, or after it navigated away, settles it.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AuthenticationError, createClient, memoryTokenStore, type Client, type StepUp, type TokenSet } from "../../src/index.js";
import { useRecordingServer } from "../helpers/useRecordingServer.js";
import { memoryStorage } from "../helpers/storage.js";

const { server, clients } = useRecordingServer();
beforeEach(() => {
	server.state.route = (seen) =>
		seen.headers.authorization === "Bearer at-mfa"
			? { status: 200, body: '{"ok":true}' }
			: { status: 401, headers: { "www-authenticate": 'Bearer error="insufficient_user_authentication", acr_values="mfa"' } };
});

function withStepUp(stepUp: StepUp) {
	const store = memoryTokenStore({ accessToken: "at-1" });
	const client = createClient({
		baseUrl: `${server.state.origin}/api/`,
		auth: { type: "bearer", store },
		reauthenticate: () => undefined,
		reloadGuard: { storage: memoryStorage(), history: null },
		tabs: false,
		stepUp,
	});
	clients.push(client);
	return { client, store };
}

describe("logout() while a request waits for a step-up", () => {
	it("should reject the waiting request with AuthenticationError while the dialog is still open", async () => {
		let finish: (tokens: TokenSet) => void = () => undefined;
		const stepUp = vi.fn<StepUp>(() => new Promise<TokenSet>((resolve) => (finish = resolve)));
		const { client, store } = withStepUp(stepUp);
		const waiting = client.get("documents.export");
		await vi.waitFor(() => expect(stepUp).toHaveBeenCalledTimes(1));
		await client.logout();
		await expect(waiting).rejects.toBeInstanceOf(AuthenticationError);
		// The dialog finishing late stores nothing: the user logged out.
		finish({ accessToken: "at-mfa" });
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(await store.get()).toBeNull();
	});

	it("should reject the waiting request with AuthenticationError after the step-up navigated away", async () => {
		const stepUp = vi.fn<StepUp>(async () => undefined);
		const { client } = withStepUp(stepUp);
		const waiting = client.get("documents.export");
		await vi.waitFor(() => expect(stepUp).toHaveBeenCalledTimes(1));
		await client.logout();
		await expect(waiting).rejects.toBeInstanceOf(AuthenticationError);
	});
});
