// Outline's `attachments.redirect` answers 302 to object storage (S3, a CDN). Under the SSO recipe a redirect off the
// API is a dead session, so an app names the origins it legitimately redirects to: a redirect there is the answer.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "../../src/index.js";
import { recordingServer } from "../helpers/recordingServer.js";
import { ssoClient } from "../helpers/classifier.js";

const api = recordingServer();
const storage = recordingServer();
const clients: Client[] = [];
beforeEach(async () => {
	await api.listen();
	await storage.listen();
	api.state.route = (seen) => (seen.path.startsWith("/api/attachments.redirect") ? { status: 302, headers: { location: `${storage.state.origin}/bucket/file.pdf?X-Amz-Signature=abc` } } : { status: 200, body: "{}" });
	storage.state.route = () => ({ status: 200, headers: { "content-type": "application/pdf" }, body: "%PDF-1.7" });
});
afterEach(async () => {
	clients.splice(0).forEach((client) => client.dispose());
	await api.close();
	await storage.close();
});

describe("a redirect to an origin named in redirectOrigins", () => {
	it("should resolve with what that origin answered, sending it no credentials", async () => {
		const { client, reauthenticate } = ssoClient(api.state.origin, { redirectOrigins: [storage.state.origin] });
		clients.push(client);
		const response = await client.request("attachments.redirect?id=a");
		expect(await response.text()).toBe("%PDF-1.7");
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(storage.state.seen).toHaveLength(1);
		expect(storage.state.seen[0]!.headers["x-csrf-token"]).toBeUndefined();
		expect(storage.state.seen[0]!.headers.authorization).toBeUndefined();
	});

	it("should resolve a POST redirected there by hand (a CSRF value rides it), without the CSRF value", async () => {
		const { client, reauthenticate } = ssoClient(api.state.origin, { redirectOrigins: [storage.state.origin] });
		clients.push(client);
		const response = await client.request("attachments.redirect", { method: "POST", json: { id: "a" } });
		expect(await response.text()).toBe("%PDF-1.7");
		expect(reauthenticate).not.toHaveBeenCalled();
		expect(storage.state.seen[0]!.headers["x-csrf-token"]).toBeUndefined();
	});

	it("should still end the session for a redirect to any other origin", async () => {
		const { client, reauthenticate } = ssoClient(api.state.origin, { redirectOrigins: ["https://cdn.example"] });
		clients.push(client);
		void client.request("attachments.redirect?id=a").catch(() => undefined);
		await expect.poll(() => reauthenticate.mock.calls.length).toBe(1);
	});

	it("should reject an entry that is not an origin with a TypeError naming the option", () => {
		expect(() => ssoClient(api.state.origin, { redirectOrigins: ["not a url"] })).toThrow(/redirectOrigins.*not a url/);
	});
});

describe("a download through auth: \"neutral\"", () => {
	it("should resolve with the storage origin's answer without an option", async () => {
		const { client, reauthenticate } = ssoClient(api.state.origin);
		clients.push(client);
		const response = await client.request("attachments.redirect?id=a", { auth: "neutral" });
		expect(await response.text()).toBe("%PDF-1.7");
		expect(reauthenticate).not.toHaveBeenCalled();
	});
});
