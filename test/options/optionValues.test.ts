// Values of the right name but unusable (NaN, a negative count, a string for a number, a header name with a space, a
// warning longer than its timeout) are a TypeError at createClient naming the option, what it got and what it takes,
// not a timer firing at once, a loop guard that never stops, or a TypeError at the first request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, memoryTokenStore, type ClientOptions } from "../../src/index.js";
import { createClient as createCookieClient } from "../../src/cookie/index.js";

const baseUrl = "https://app.example/api/";
const bearer = (extra: object = {}) => ({ type: "bearer", store: memoryTokenStore({ accessToken: "access-1", refreshToken: "refresh-1" }), ...extra });
const cookie = { type: "cookie" };

/** createClient with options the types would refuse: what a JavaScript app or a loose cast passes. */
function create(options: object) {
	return () => createClient({ baseUrl, auth: cookie, tabs: false, ...options } as unknown as ClientOptions).dispose();
}

/** Each value of `values` for the option `path` ("a.b.c") is refused, and the message names it and what it got. */
function expectRefused(path: string, values: unknown[], takes: RegExp, options: (value: unknown) => object) {
	for (const value of values) {
		const build = create(options(value));
		expect(build, `${path} = ${String(value)}`).toThrow(TypeError);
		const got = typeof value === "string" ? JSON.stringify(value) : String(value);
		expect(build).toThrow(`\`${path}\` got ${got}; it takes `);
		expect(build).toThrow(takes);
	}
}

afterEach(() => {
	vi.unstubAllEnvs();
});

describe("createClient refuses option values it cannot use", () => {
	it("refuses an idle warning as long as the idle timeout or longer", () => {
		for (const warnBeforeMs of [5_000, 1_000]) {
			const build = create({ idle: { timeoutMs: 1_000, warnBeforeMs, activityTarget: null } });
			expect(build).toThrow(TypeError);
			expect(build).toThrow(`idle.warnBeforeMs must be less than idle.timeoutMs (1000), got ${warnBeforeMs}`);
		}
		create({ idle: { timeoutMs: 1_000, warnBeforeMs: 999, activityTarget: null } })();
	});

	it("refuses a tabs.lockTimeoutMs that is not a number of milliseconds", () => {
		expectRefused("tabs.lockTimeoutMs", [Number.NaN, -5, "5000", Infinity], /a number of milliseconds from 0 to 2147483647/, (lockTimeoutMs) => ({ tabs: { lockTimeoutMs, channel: null, locks: null, visibility: null } }));
	});

	it("refuses a refreshLeewayMs that is a string, NaN or negative", () => {
		expectRefused("refreshLeewayMs", ["30", Number.NaN, -1, Infinity], /a number of milliseconds from 0 to 2147483647/, (refreshLeewayMs) => ({ auth: bearer(), refreshLeewayMs }));
	});

	it("refuses an auth.refreshTimeoutMs of 0, Infinity or NaN", () => {
		expectRefused("auth.refreshTimeoutMs", [0, Infinity, Number.NaN, "10000", 2 ** 31], /a number of milliseconds from 1 to 2147483647/, (refreshTimeoutMs) => ({ auth: bearer({ refreshTimeoutMs }) }));
	});

	it("refuses an auth.refreshRetry.limit that is not a whole number of retries", () => {
		expectRefused("auth.refreshRetry.limit", [Infinity, -1, 1.5, Number.NaN, "2"], /a whole number from 0/, (limit) => ({ auth: bearer({ refreshRetry: { limit } }) }));
		expectRefused("auth.refreshRetry.delayMs", [-1, Number.NaN], /a number of milliseconds from 0/, (delayMs) => ({ auth: bearer({ refreshRetry: { delayMs } }) }));
		expect(create({ auth: bearer({ refreshRetry: 3 }) })).toThrow("`auth.refreshRetry` got 3; it takes ");
	});

	it("refuses a reloadGuard.maxAttempts that is negative or not whole, and a windowMs that is not a duration", () => {
		expectRefused("reloadGuard.maxAttempts", [-1, 1.5, Number.NaN, "2"], /a whole number from 0/, (maxAttempts) => ({ reloadGuard: { maxAttempts, storage: null, history: null } }));
		expectRefused("reloadGuard.windowMs", [-1, Number.NaN], /a number of milliseconds from 0/, (windowMs) => ({ reloadGuard: { windowMs, storage: null, history: null } }));
	});

	it("refuses a dedupe that is not a boolean", () => {
		expectRefused("dedupe", ["yes", 1, null], /true or false/, (dedupe) => ({ dedupe }));
	});

	it("refuses an auth.csrf.header that is not a header name, at createClient rather than at the first request", () => {
		for (const header of ["x y", "x-csrf\n", "", "x:csrf"]) {
			const csrf = { cookie: "csrf", header, read: () => "value" };
			expect(create({ auth: { type: "cookie", csrf } })).toThrow(`\`auth.csrf.header\` got ${JSON.stringify(header)}; it takes a header name`);
			expect(() => createCookieClient({ baseUrl, auth: { type: "cookie", csrf }, tabs: false })).toThrow(TypeError);
		}
		expect(create({ auth: { type: "cookie", csrf: { header: "x-csrf-token" } } })).toThrow("`auth.csrf.cookie` got undefined; it takes ");
	});

	it("refuses an auth.scheme that is not an HTTP auth-scheme, at createClient rather than at the first request", () => {
		expectRefused("auth.scheme", ["Bearer\n", "Bearer x", "", 1], /an auth-scheme/, (scheme) => ({ auth: bearer({ scheme }) }));
	});

	it("refuses redirectOrigins and trustedOrigins given as a string instead of an array", () => {
		for (const option of ["redirectOrigins", "trustedOrigins"]) {
			const build = create({ [option]: "https://a.example" });
			expect(build).toThrow(TypeError);
			expect(build).toThrow(`\`${option}\` got "https://a.example"; it takes an array of origins`);
		}
		expect(create({ redirectOrigins: ["https://ok.example", "cdn.example"] })).toThrow('`redirectOrigins[1]` got "cdn.example"; it takes an origin with its scheme');
	});

	it("names the option and what it got in a production build too, without the longer text", () => {
		vi.stubEnv("NODE_ENV", "production");
		const build = create({ refreshLeewayMs: "30", auth: bearer() });
		expect(build).toThrow("tokenflight: createClient option `refreshLeewayMs` got \"30\"");
		expect(build).not.toThrow(/it takes/);
	});

	it("accepts the edges of what each option takes", () => {
		create({
			auth: bearer({ refreshTimeoutMs: 1, refreshRetry: { limit: 0, delayMs: 0, maxDelayMs: 0 }, scheme: "DPoP" }),
			refreshLeewayMs: 0,
			reloadGuard: { maxAttempts: 0, windowMs: 0, storage: null, history: null },
			dedupe: true,
			redirectOrigins: ["https://cdn.example"],
			tabs: { lockTimeoutMs: 0, channel: null, locks: null, visibility: null },
		})();
		create({ auth: { type: "cookie", csrf: { cookie: "csrf", header: "X-Requested-With!#$%&'*+.^_`|~" } }, dedupe: false, reloadGuard: { windowMs: Infinity, storage: null, history: null } })();
	});
});
