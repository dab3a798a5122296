import { describe, expect, it, vi } from "vitest";
import { redirectTo } from "../../src/index.js";

function fakeLocation() {
	return { href: "https://app.example/docs/1", origin: "https://app.example", assign: vi.fn() };
}

describe("redirectTo", () => {
	it("should send the browser to a same-origin sign-in page with the reason", () => {
		const location = fakeLocation();
		redirectTo((reason) => `/login?reason=${reason}`, { location })("identity-changed");
		expect(location.assign).toHaveBeenCalledWith("https://app.example/login?reason=identity-changed");
	});

	it("should allow a listed SSO origin", () => {
		const location = fakeLocation();
		redirectTo("https://sso.example/authorize", { location, allowedOrigins: ["https://sso.example"] })("unauthorized");
		expect(location.assign).toHaveBeenCalledWith("https://sso.example/authorize");
	});

	it.each(["https://evil.example/login", "//evil.example/login", "javascript:alert(1)", "https://sso.example.evil.example/"])(
		"should refuse %s and not navigate",
		(url) => {
			const location = fakeLocation();
			expect(() => redirectTo(url, { location, allowedOrigins: ["https://sso.example"] })("unauthorized")).toThrow(TypeError);
			expect(location.assign).not.toHaveBeenCalled();
		},
	);
});
