// The CSRF value is read from document.cookie without js-cookie (src/auth/readCookie.ts), so that an app in cookie
// mode does not ship js-cookie. These check that it reads what js-cookie's Cookies.get reads.
import fc from "fast-check";
import Cookies from "js-cookie";
import { afterEach, describe, expect, it } from "vitest";
import { readCookie } from "../../src/auth/readCookie.js";

const global = globalThis as { document?: unknown };
afterEach(() => {
	delete global.document;
});

function withJar(jar: string): void {
	global.document = { cookie: jar };
}

describe("readCookie", () => {
	it.each([
		["XSRF-TOKEN=abc", "XSRF-TOKEN", "abc"],
		["a=1; XSRF-TOKEN=abc%3D%3D; b=2", "XSRF-TOKEN", "abc=="],
		['XSRF-TOKEN="quoted value"', "XSRF-TOKEN", "quoted value"],
		["XSRF-TOKEN=a=b=c", "XSRF-TOKEN", "a=b=c"],
		["XSRF-TOKEN=first; XSRF-TOKEN=second", "XSRF-TOKEN", "first"],
		["XSRF-TOKEN=%E0%A4%A; XSRF-TOKEN=valid", "XSRF-TOKEN", "valid"],
		["csrf%20token=x", "csrf token", "x"],
		["XSRF-TOKEN", "XSRF-TOKEN", ""],
		["other=1", "XSRF-TOKEN", undefined],
		["", "XSRF-TOKEN", undefined],
	])("reads %j as js-cookie does", (jar, name, expected) => {
		withJar(jar);
		expect(readCookie(name)).toBe(expected);
		expect(readCookie(name)).toBe(Cookies.get(name));
	});

	it("reads nothing without a document (Node, workers)", () => {
		expect(readCookie("XSRF-TOKEN")).toBeUndefined();
	});

	it("agrees with js-cookie on random jars", () => {
		// Names that are not Object.prototype's own keys: js-cookie's jar is a plain object, so it answers
		// Cookies.get("constructor") with a function; readCookie reads only cookies.
		const name = fc.stringMatching(/^[A-Za-z0-9_%-]{1,8}$/).filter((n) => !(n in Object.prototype));
		const value = fc.oneof(fc.stringMatching(/^[\x21-\x7e]{0,12}$/).filter((v) => !v.includes(";")), fc.constant('"q"'), fc.constant("%E2%82%AC"), fc.constant("%ZZ"));
		const pair = fc.tuple(name, value).map(([n, v]) => `${n}=${v}`);
		fc.assert(
			fc.property(fc.array(pair, { maxLength: 6 }), name, (pairs, wanted) => {
				const jar = pairs.join("; ");
				withJar(jar);
				expect(readCookie(wanted)).toBe(Cookies.get(wanted));
				for (const p of pairs) {
					const key = p.slice(0, p.indexOf("="));
					expect(readCookie(key)).toBe(Cookies.get(key));
				}
			}),
			{ numRuns: 500 },
		);
	});
});
