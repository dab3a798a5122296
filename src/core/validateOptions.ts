import { AuthenticationError } from "../errors.js";

// A config mistake shows up at createClient, not as a NetworkError after 900 ms of retries or a sign-out with no
// hint. Only what was given is named, never its content: an options object may hold a client secret or tokens.

type Loose = Record<string, unknown>;

const shapes = '{ type: "bearer", store, refresh } or { type: "cookie", csrf? }';
const anOrigin = 'an origin with its scheme, e.g. "https://files.example"';

/**
 * What each option takes, in development builds only (React's and MobX's convention): bundlers replace
 * `process.env.NODE_ENV`, so a production bundle drops these texts and keeps the option's name. Where `process` does
 * not exist (a page loading the package unbundled) the short messages are used rather than failing.
 */
function takes(): Record<string, string> | undefined {
	try {
		if (process.env.NODE_ENV !== "production") {
			return {
				options: "an object: { baseUrl, auth }",
				baseUrl: 'the API\'s URL, e.g. "https://app.example/api/", or "/api/" in a page',
				auth: shapes,
				"auth.type": `"bearer" or "cookie" (lower case): ${shapes}`,
				"cookie auth.type": '"cookie" in tokenflight/cookie; import createClient from "tokenflight" for bearer tokens',
				"auth.store": "a token store with get, set and clear: memoryTokenStore(), indexedDbTokenStore(), storageTokenStore(localStorage, key)",
				"auth.refresh": "a function that exchanges the refresh token, e.g. oauthRefresh({ tokenEndpoint, clientId }), not its options",
				trustedOrigins: `an array of origins: ${anOrigin}`,
				redirectOrigins: `an array of origins: ${anOrigin}`,
				origin: anOrigin,
				onSessionEnded: '"reauthenticate", "signOut" or a function of the reason returning one of them',
				ms: "a number of milliseconds from 0 to 2147483647 (setTimeout's limit)",
				ms1: "a number of milliseconds from 1 to 2147483647 (setTimeout's limit)",
				window: "a number of milliseconds from 0, or Infinity",
				count: "a whole number from 0",
				dedupe: "true or false",
				"auth.refreshRetry": "an object: { limit?, delayMs?, maxDelayMs? }",
				"auth.csrf": '{ cookie, header, methods? }, e.g. { cookie: "csrf", header: "x-csrf-token" }',
				"auth.csrf.cookie": 'the name of the cookie that holds the CSRF value, e.g. "csrf"',
				"auth.csrf.header": "a header name (an HTTP token: letters, digits and !#$%&'*+-.^_`|~), e.g. \"x-csrf-token\"",
				"auth.scheme": 'an auth-scheme (an HTTP token, no space or line break), e.g. "Bearer" or "DPoP"',
				hint: " No `refresh` was given in createClient's bearer auth, so the first 401 ended the session: pass refresh: oauthRefresh({ tokenEndpoint, clientId }) to renew tokens.",
			};
		}
	} catch {
		// No `process`: short messages.
	}
	return undefined;
}

/** What a value is, for an error message; strings are quoted (capped, user info blanked), objects named by their keys. */
function shape(value: unknown): string {
	if (typeof value === "string") return JSON.stringify(value.replace(/^([^/]*\/\/)?[^/@]*@/, "$1…@").slice(0, 80));
	if (typeof value === "object" && value) return `${Array.isArray(value) ? "an array" : "an object"} with keys ${Object.keys(value).join(", ") || "none"}`;
	return String(value);
}

function fail(option: string, value: unknown, key = option.replace(/\[\d+\]$/, "")): never {
	const text = takes()?.[key];
	throw new TypeError(`tokenflight: createClient option \`${option}\` got ${shape(value)}${text ? `; it takes ${text}` : ""}`);
}

function isStore(value: unknown): boolean {
	const store = value as Loose | null | undefined;
	return typeof store === "object" && store !== null && ["get", "set", "clear"].every((name) => typeof store[name] === "function");
}

// RFC 9110 §5.6.2: header names and auth-schemes are tokens. Checked here, not at the first request that sends them.
const isToken = (value: unknown): boolean => typeof value === "string" && /^[!#$%&'*+.^_`|~\w-]+$/.test(value);

function validateAuth(auth: unknown, cookieOnly: boolean): void {
	if (typeof auth !== "object" || auth === null) fail("auth", auth);
	const { type, store, refresh, csrf, scheme } = auth as Loose;
	if (cookieOnly && type !== "cookie") fail("auth.type", type, "cookie auth.type");
	if (type !== "bearer" && type !== "cookie") fail("auth.type", type);
	if (type === "cookie") {
		if (csrf === undefined) return;
		if (typeof csrf !== "object" || csrf === null) fail("auth.csrf", csrf);
		const { cookie, header } = csrf as Loose;
		if (typeof cookie !== "string" || !cookie) fail("auth.csrf.cookie", cookie);
		if (!isToken(header)) fail("auth.csrf.header", header);
		return;
	}
	if (!isStore(store)) fail("auth.store", store);
	if (refresh !== undefined && typeof refresh !== "function") fail("auth.refresh", refresh);
	if (scheme !== undefined && !isToken(scheme)) fail("auth.scheme", scheme);
}

// What each kind of number takes: [least, most, whole]. A delay past setTimeout's 2^31 − 1 ms fires at once.
const ranges: Record<string, [number, number, boolean?]> = { ms: [0, 2 ** 31 - 1], ms1: [1, 2 ** 31 - 1], window: [0, Infinity], count: [0, 2 ** 31 - 1, true] };
// Numbers that NaN, a string or a negative would turn into a timer firing at once or a loop guard that never stops.
const numbers: Record<string, string> = {
	refreshLeewayMs: "ms",
	"tabs.lockTimeoutMs": "ms",
	"auth.refreshTimeoutMs": "ms1",
	"auth.refreshRetry.limit": "count",
	"auth.refreshRetry.delayMs": "ms",
	"auth.refreshRetry.maxDelayMs": "ms",
	"reloadGuard.maxAttempts": "count",
	"reloadGuard.windowMs": "window",
};

function validateNumbers(given: Loose): void {
	const retry = (given["auth"] as Loose)["refreshRetry"];
	if (retry !== undefined && (typeof retry !== "object" || retry === null)) fail("auth.refreshRetry", retry);
	for (const [option, kind] of Object.entries(numbers)) {
		const value = option.split(".").reduce<unknown>((at, key) => (at as Loose | null | undefined)?.[key], given);
		const [least, most, whole] = ranges[kind] as [number, number, boolean?];
		if (value !== undefined && !(typeof value === "number" && value >= least && value <= most && (!whole || Number.isInteger(value)))) fail(option, value, kind);
	}
}

function validateOrigins(option: string, origins: unknown): void {
	if (origins === undefined) return;
	if (!Array.isArray(origins)) fail(option, origins);
	origins.forEach((entry: unknown, index) => {
		let origin = "null";
		try {
			if (typeof entry === "string" || entry instanceof URL) origin = new URL(entry).origin;
		} catch {
			// Reported below with what was given.
		}
		if (origin === "null") fail(`${option}[${index}]`, entry, "origin");
	});
}

/** Throws a `TypeError` naming the option, what it got and what it takes, for the mistakes that otherwise surface late. */
export function validateOptions(options: unknown, cookieOnly = false): void {
	if (typeof options !== "object" || options === null) fail("options", options);
	const given = options as Loose;
	if (typeof given["baseUrl"] !== "string" && !(given["baseUrl"] instanceof URL)) fail("baseUrl", given["baseUrl"]);
	validateAuth(given["auth"], cookieOnly);
	validateNumbers(given);
	validateOrigins("trustedOrigins", given["trustedOrigins"]);
	validateOrigins("redirectOrigins", given["redirectOrigins"]);
	if (given["dedupe"] !== undefined && typeof given["dedupe"] !== "boolean") fail("dedupe", given["dedupe"]);
	if (!["reauthenticate", "signOut", undefined].includes(given["onSessionEnded"] as string) && typeof given["onSessionEnded"] !== "function") {
		fail("onSessionEnded", given["onSessionEnded"]);
	}
}

/**
 * Bearer without `refresh` is allowed (some apps re-authenticate instead), but in development a dead session then says
 * why: the AuthenticationError of a session that ended (not of the app's own logout()) names the missing option.
 */
export function explainMissingRefresh<C extends { session: { getSnapshot(): { reason?: unknown } } }>(options: { auth: { type: string } }, client: C): C {
	const hint = takes()?.["hint"];
	try {
		// A production bundle drops the wrapper with the condition.
		if (process.env.NODE_ENV !== "production" && hint && options.auth.type === "bearer" && (options.auth as Loose)["refresh"] === undefined) {
			const explain = (error: unknown): never => {
				if (error instanceof AuthenticationError && client.session.getSnapshot().reason !== undefined && !error.message.endsWith(hint)) error.message += hint;
				throw error;
			};
			const wrapped: Loose = { ...client };
			for (const name of ["request", "fetch", "get", "delete", "post", "put", "patch"]) {
				const method = (client as unknown as Loose)[name] as (...args: unknown[]) => Promise<unknown>;
				wrapped[name] = (...args: unknown[]) => method(...args).catch(explain);
			}
			return wrapped as C;
		}
	} catch {
		// No `process`: no hint.
	}
	return client;
}
