import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyChallenge, parseChallenges, toSafeChallenge, type Challenge, type SafeParam } from "../../src/auth/challenge.js";

const runs = Number(process.env.FC_RUNS ?? 1_000);

describe("parseChallenges: the RFCs' own examples", () => {
	it("should read RFC 9110 §11.6.1's two challenges, giving type and title to Newauth", () => {
		expect(parseChallenges('Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\""')).toEqual([
			{ scheme: "basic", params: { realm: "simple" } },
			{ scheme: "newauth", params: { realm: "apps", type: "1", title: 'Login to "apps"' } },
		]);
	});

	it("should read RFC 7235 §4.1's order of the same example, Newauth first", () => {
		expect(parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')).toEqual([
			{ scheme: "newauth", params: { realm: "apps", type: "1", title: 'Login to "apps"' } },
			{ scheme: "basic", params: { realm: "simple" } },
		]);
	});

	it.each([
		['Bearer realm="example"', { realm: "example" }],
		[
			'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
			{ realm: "example", error: "invalid_token", error_description: "The access token expired" },
		],
	])("should read RFC 6750 §3's %s", (header, params) => {
		expect(parseChallenges(header)).toEqual([{ scheme: "bearer", params }]);
	});

	it("should keep a comma inside RFC 6750 §3's quoted scope value", () => {
		expect(parseChallenges('Bearer error="insufficient_scope", scope="urn:example:channel=HBO&urn:example:rating=G,PG-13"')).toEqual([
			{ scheme: "bearer", params: { error: "insufficient_scope", scope: "urn:example:channel=HBO&urn:example:rating=G,PG-13" } },
		]);
	});

	it.each([
		['Basic realm="WallyWorld"', { realm: "WallyWorld" }],
		['Basic realm="foo", charset="UTF-8"', { realm: "foo", charset: "UTF-8" }],
	])("should read RFC 7617's %s", (header, params) => {
		expect(parseChallenges(header)).toEqual([{ scheme: "basic", params }]);
	});

	it.each([
		['DPoP algs="ES256 PS256"', { algs: "ES256 PS256" }],
		['DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"', { error: "invalid_token", error_description: "Invalid DPoP key binding", algs: "ES256" }],
		['DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"', { error: "use_dpop_nonce", error_description: "Resource server requires nonce in DPoP proof" }],
	])("should read RFC 9449's %s", (header, params) => {
		expect(parseChallenges(header)).toEqual([{ scheme: "dpop", params }]);
	});

	it.each([
		[
			'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"',
			{ error: "insufficient_user_authentication", error_description: "A different authentication level is required", acr_values: "myACR" },
		],
		[
			'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5"',
			{ error: "insufficient_user_authentication", error_description: "More recent authentication is required", max_age: "5" },
		],
	])("should read RFC 9470 §3's %s", (header, params) => {
		expect(parseChallenges(header)).toEqual([{ scheme: "bearer", params }]);
	});

	it("should read RFC 9728 §5.1's resource_metadata challenge", () => {
		expect(parseChallenges('Bearer resource_metadata="https://resource.example.com/.well-known/oauth-protected-resource"')).toEqual([
			{ scheme: "bearer", params: { resource_metadata: "https://resource.example.com/.well-known/oauth-protected-resource" } },
		]);
	});
});

describe("parseChallenges: the grammar", () => {
	it("should read a token68 challenge beside a params one", () => {
		expect(parseChallenges('Negotiate abc123==, Bearer realm="x"')).toEqual([
			{ scheme: "negotiate", params: {}, token68: "abc123==" },
			{ scheme: "bearer", params: { realm: "x" } },
		]);
	});

	it("should read a lone name= as a token68, as the grammar does, not as an empty param", () => {
		expect(parseChallenges("Bearer error=")).toEqual([{ scheme: "bearer", params: {}, token68: "error=" }]);
	});

	it("should read a scheme with nothing after it", () => {
		expect(parseChallenges("Basic, Negotiate")).toEqual([
			{ scheme: "basic", params: {} },
			{ scheme: "negotiate", params: {} },
		]);
	});

	it("should lower-case schemes and param names but keep the case of values", () => {
		expect(parseChallenges('BEARER Realm="Example", ERROR=Invalid_Token')).toEqual([{ scheme: "bearer", params: { realm: "Example", error: "Invalid_Token" } }]);
	});

	it("should allow whitespace around = and commas", () => {
		expect(parseChallenges('Bearer realm = "x" ,error\t=\tinvalid_token ,  Basic realm ="y"')).toEqual([
			{ scheme: "bearer", params: { realm: "x", error: "invalid_token" } },
			{ scheme: "basic", params: { realm: "y" } },
		]);
	});

	it("should skip empty list elements", () => {
		expect(parseChallenges(' , ,Bearer realm="x", , error="invalid_token" ,, Basic realm="y",')).toEqual([
			{ scheme: "bearer", params: { realm: "x", error: "invalid_token" } },
			{ scheme: "basic", params: { realm: "y" } },
		]);
	});

	it("should unescape every quoted-pair, not only \\\" and \\\\", () => {
		expect(parseChallenges(String.raw`X a="\"\\", b="\x\y", c=""`)).toEqual([{ scheme: "x", params: { a: '"\\', b: "xy", c: "" } }]);
	});

	it("should keep params named like Object.prototype members", () => {
		const [challenge] = parseChallenges('X __proto__="p", constructor="c", toString="t"');
		expect(Object.entries(challenge?.params ?? {})).toEqual([
			["__proto__", "p"],
			["constructor", "c"],
			["tostring", "t"],
		]);
	});

	it("should read every WWW-Authenticate field of a Headers object", () => {
		const headers = new Headers();
		headers.append("WWW-Authenticate", 'Bearer realm="a", error="invalid_token"');
		headers.append("WWW-Authenticate", 'DPoP algs="ES256"');
		expect(parseChallenges(headers)).toEqual([
			{ scheme: "bearer", params: { realm: "a", error: "invalid_token" } },
			{ scheme: "dpop", params: { algs: "ES256" } },
		]);
	});

	it.each([null, undefined, "", "  ", " , ,", new Headers()])("should find no challenge in %j", (header) => {
		expect(parseChallenges(header)).toEqual([]);
	});

	it.each([
		['Bearer realm="unterminated'],
		['Bearer realm="a" error="b"'],
		['realm="x", Bearer'],
		['Negotiate abc==, realm="x"'],
		['Bearer realm="a", Realm="b"'],
		['Bearer error=, realm="a"'],
		["Bearer =x"],
		['Bearer realm="a" Basic'],
		['Bearer realm="a"x'],
		["Bearer a=b=c"],
		['Bearer"realm"'],
		["Bearer (comment)"],
		['Basic realm="a", Bearer realm=x y'],
	])("should count all of %s as no challenge", (header) => {
		expect(parseChallenges(header)).toEqual([]);
	});
});

// Strings oidc-provider 9.13.3 sends (lib/helpers/append_www_authenticate.js quotes every value). The first five
// were captured from a real Provider with `features.dPoP.enabled`, calling /me and /token; the last two follow
// lib/actions/userinfo.js and lib/helpers/validate_dpop.js through the same helper.
describe("parseChallenges and classifyChallenge: oidc-provider's challenges", () => {
	const issuer = "http://127.0.0.1:33671";

	it.each([
		[
			"no access token at /me",
			`Bearer realm="${issuer}", DPoP realm="${issuer}", algs="ES256 Ed25519 EdDSA"`,
			[
				{ scheme: "bearer", params: { realm: issuer } },
				{ scheme: "dpop", params: { realm: issuer, algs: "ES256 Ed25519 EdDSA" } },
			],
			"none",
		],
		[
			"an unknown Bearer token at /me",
			`Bearer realm="${issuer}", error="invalid_token", error_description="invalid token provided"`,
			[{ scheme: "bearer", params: { realm: issuer, error: "invalid_token", error_description: "invalid token provided" } }],
			"invalid-token",
		],
		[
			"a DPoP token without a proof at /me",
			`DPoP realm="${issuer}", error="invalid_request", error_description="\`DPoP\` header not provided", algs="ES256 Ed25519 EdDSA"`,
			[{ scheme: "dpop", params: { realm: issuer, error: "invalid_request", error_description: "`DPoP` header not provided", algs: "ES256 Ed25519 EdDSA" } }],
			"other",
		],
		[
			"a DPoP token with a bad proof at /me",
			`DPoP realm="${issuer}", error="invalid_dpop_proof", error_description="invalid DPoP key binding", algs="ES256 Ed25519 EdDSA"`,
			[{ scheme: "dpop", params: { realm: issuer, error: "invalid_dpop_proof", error_description: "invalid DPoP key binding", algs: "ES256 Ed25519 EdDSA" } }],
			"other",
		],
		[
			"wrong Basic client credentials at /token",
			`Basic realm="${issuer}", error="invalid_client", error_description="client authentication failed"`,
			[{ scheme: "basic", params: { realm: issuer, error: "invalid_client", error_description: "client authentication failed" } }],
			"other",
		],
		[
			"a token without openid at /me",
			`Bearer realm="${issuer}", error="insufficient_scope", error_description="access token missing openid scope", scope="openid"`,
			[{ scheme: "bearer", params: { realm: issuer, error: "insufficient_scope", error_description: "access token missing openid scope", scope: "openid" } }],
			"insufficient-scope",
		],
		[
			"a DPoP proof without the nonce at /me",
			`DPoP realm="${issuer}", error="use_dpop_nonce", error_description="nonce is required in the DPoP proof", algs="ES256 Ed25519 EdDSA"`,
			[{ scheme: "dpop", params: { realm: issuer, error: "use_dpop_nonce", error_description: "nonce is required in the DPoP proof", algs: "ES256 Ed25519 EdDSA" } }],
			"dpop-nonce",
		],
	])("should read the answer to %s", (_case, header, challenges, kind) => {
		expect(parseChallenges(header)).toEqual(challenges);
		expect(classifyChallenge(parseChallenges(header)).kind).toBe(kind);
	});
});

describe("classifyChallenge", () => {
	const classify = (header: string) => classifyChallenge(parseChallenges(header));

	it("should ask for a step-up with RFC 9470's acr_values", () => {
		expect(classify('Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"')).toEqual({
			kind: "step-up",
			acrValues: ["myACR"],
			challenge: { scheme: "bearer", params: { error: "insufficient_user_authentication", error_description: "A different authentication level is required", acr_values: "myACR" } },
		});
	});

	it("should ask for a step-up with RFC 9470's max_age in seconds", () => {
		expect(classify('Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5"')).toMatchObject({
			kind: "step-up",
			maxAge: 5,
		});
	});

	it("should split acr_values on spaces and read an unquoted max_age", () => {
		const result = classify('DPoP error="insufficient_user_authentication", acr_values="  urn:a  urn:b ", max_age=0');
		expect(result).toMatchObject({ kind: "step-up", acrValues: ["urn:a", "urn:b"], maxAge: 0 });
	});

	it.each(['"soon"', '"-5"', '"1.5"', '"99999999999999999999"', '""'])("should leave out a max_age of %s", (maxAge) => {
		const result = classify(`Bearer error="insufficient_user_authentication", max_age=${maxAge}, acr_values=""`);
		expect(result.kind).toBe("step-up");
		expect(result).not.toHaveProperty("maxAge");
		expect(result).not.toHaveProperty("acrValues");
	});

	it("should list the scopes an insufficient_scope challenge needs", () => {
		expect(classify('Bearer realm="example", error="insufficient_scope", scope="openid profile email"')).toMatchObject({
			kind: "insufficient-scope",
			scope: ["openid", "profile", "email"],
		});
		expect(classify('Bearer error="insufficient_scope"')).not.toHaveProperty("scope");
	});

	it("should ask for a DPoP nonce only under the DPoP scheme", () => {
		expect(classify('DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"').kind).toBe("dpop-nonce");
		expect(classify('Bearer error="use_dpop_nonce"').kind).toBe("other");
	});

	it("should report RFC 6750's expired token as invalid-token", () => {
		expect(classify('Bearer realm="example", error="invalid_token", error_description="The access token expired"')).toEqual({
			kind: "invalid-token",
			challenge: { scheme: "bearer", params: { realm: "example", error: "invalid_token", error_description: "The access token expired" } },
		});
	});

	it.each(['Bearer realm="example"', 'DPoP algs="ES256 PS256"', "Negotiate abc123==", "", 'Bearer realm="a" error="b"'])("should find nothing to act on in %j", (header) => {
		expect(classify(header)).toEqual({ kind: "none" });
	});

	it("should report an error it has no rule for as other", () => {
		expect(classify('Bearer error="invalid_request", error_description="Missing header"')).toEqual({
			kind: "other",
			challenge: { scheme: "bearer", params: { error: "invalid_request", error_description: "Missing header" } },
		});
	});

	it("should not act on a Bearer error code sent under another scheme", () => {
		expect(classify('Newauth error="invalid_token"').kind).toBe("other");
	});

	it("should prefer a Bearer or DPoP challenge with an error over earlier challenges", () => {
		expect(classify('Basic realm="simple", error="invalid_client", Bearer realm="a", DPoP error="use_dpop_nonce"').kind).toBe("dpop-nonce");
		expect(classify('Newauth error="x", Bearer realm="a", Basic error="y"')).toMatchObject({ kind: "other", challenge: { scheme: "newauth" } });
	});

	it("should take the first of several Bearer and DPoP errors", () => {
		expect(classify('Bearer error="invalid_token", DPoP error="use_dpop_nonce"').kind).toBe("invalid-token");
	});

	it("should return a challenge without unknown params", () => {
		const result = classify('DPoP realm="r", error="use_dpop_nonce", nonce="secret", algs="ES256"');
		expect(result).toEqual({ kind: "dpop-nonce", challenge: { scheme: "dpop", params: { realm: "r", error: "use_dpop_nonce", algs: "ES256" } } });
	});
});

describe("toSafeChallenge", () => {
	it("should keep the scheme and the known params", () => {
		const [challenge] = parseChallenges(
			'Bearer realm="r", error="e", error_description="d", error_uri="u", scope="s", acr_values="a", max_age="1", algs="ES256", resource_metadata="m"',
		);
		expect(toSafeChallenge(challenge!)).toEqual({
			scheme: "bearer",
			params: { realm: "r", error: "e", error_description: "d", error_uri: "u", scope: "s", acr_values: "a", max_age: "1", algs: "ES256", resource_metadata: "m" },
		});
	});

	it("should drop the token68 and params it does not know", () => {
		const challenges = parseChallenges('Negotiate c2VjcmV0, Digest realm="r", nonce="n", opaque="o"');
		expect(challenges.map(toSafeChallenge)).toEqual([
			{ scheme: "negotiate", params: {} },
			{ scheme: "digest", params: { realm: "r" } },
		]);
	});

	it("should not pick up params from a hand-built challenge's prototype", () => {
		const params = Object.create({ error: "inherited" }) as Record<string, string>;
		expect(toSafeChallenge({ scheme: "bearer", params })).toEqual({ scheme: "bearer", params: {} });
	});
});

// A generated challenge keeps the spelling it is written with, so serialising can vary case and whitespace.
type Written = { scheme: string; token68?: string; params: { name: string; value: string; bare: boolean; escapeAll: boolean }[] };

const tokenChars = [..."!#$%&'*+-.^_`|~", ..."abcXYZ019"];
const token = fc.string({ unit: fc.constantFrom(...tokenChars), minLength: 1, maxLength: 8 });
const token68 = fc
	.tuple(fc.string({ unit: fc.constantFrom(..."aZ09-._~+/"), minLength: 1, maxLength: 12 }), fc.nat(2))
	.map(([body, pad]) => body + "=".repeat(pad));
// Quotes, backslashes, commas, =, spaces and tabs are what a naive split gets wrong; é is obs-text.
const value = fc.string({ unit: fc.oneof(fc.constantFrom('"', "\\", ",", "=", " ", "\t", "é"), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 16 });
const isToken = (text: string) => /^[\w!#$%&'*+.^`|~-]+$/.test(text);

const written: fc.Arbitrary<Written> = fc.oneof(
	fc.record({ scheme: token, params: fc.constant<Written["params"]>([]), token68 }),
	fc.record({
		scheme: token,
		params: fc.uniqueArray(fc.record({ name: token, value, bare: fc.boolean(), escapeAll: fc.boolean() }), {
			maxLength: 5,
			selector: (param) => param.name.toLowerCase(),
		}),
	}),
);

const space = fc.constantFrom("", " ", "\t", "  ");
const separator = fc.constantFrom(",", ", ", " ,", " , ", ", ,", ",,\t");

function serialise(challenge: Written, bws: string, sep: string): string {
	const quote = (text: string, escapeAll: boolean) => `"${escapeAll ? text.replace(/[^]/g, "\\$&") : text.replace(/["\\]/g, "\\$&")}"`;
	const params = challenge.params.map(({ name, value, bare, escapeAll }) => `${name}${bws}=${bws}${bare && isToken(value) ? value : quote(value, escapeAll)}`);
	const rest = challenge.token68 ?? params.join(sep);
	return rest ? `${challenge.scheme} ${rest}` : challenge.scheme;
}

function expected(challenge: Written): Challenge {
	const params = Object.fromEntries(challenge.params.map(({ name, value }) => [name.toLowerCase(), value]));
	return challenge.token68 === undefined ? { scheme: challenge.scheme.toLowerCase(), params } : { scheme: challenge.scheme.toLowerCase(), params, token68: challenge.token68 };
}

describe("parseChallenges: properties", () => {
	it("should never throw, and find only lower-cased token schemes", () => {
		const header = fc.oneof(
			fc.string({ unit: "binary" }),
			fc.string({ unit: fc.constantFrom(..."Bb =\",\\\t\x00aé~/"), maxLength: 40 }),
			fc.array(fc.constantFrom("Bearer", " ", "=", '"', "\\", ",", "realm", "abc==", "\t"), { maxLength: 20 }).map((parts) => parts.join("")),
		);
		fc.assert(
			fc.property(header, (text) => {
				for (const challenge of parseChallenges(text)) {
					expect(isToken(challenge.scheme) && challenge.scheme === challenge.scheme.toLowerCase()).toBe(true);
				}
			}),
			{ numRuns: runs },
		);
	});

	it("should read back any serialised list of challenges", () => {
		fc.assert(
			fc.property(fc.array(written, { minLength: 1, maxLength: 4 }), space, separator, space, (challenges, bws, sep, edge) => {
				const header = edge + challenges.map((challenge) => serialise(challenge, bws, sep)).join(sep) + edge;
				expect(parseChallenges(header)).toEqual(challenges.map(expected));
			}),
			{ numRuns: runs },
		);
	});

	it("should read two WWW-Authenticate fields as the challenges of each in turn", () => {
		fc.assert(
			fc.property(written, written, (first, second) => {
				const headers = new Headers([
					["WWW-Authenticate", serialise(first, "", ", ")],
					["WWW-Authenticate", serialise(second, " ", ",")],
				]);
				expect(parseChallenges(headers)).toEqual([expected(first), expected(second)]);
			}),
			{ numRuns: runs },
		);
	});

	it("should keep only safe params, and never a token68", () => {
		const safe: readonly string[] = ["realm", "error", "error_description", "error_uri", "scope", "acr_values", "max_age", "algs", "resource_metadata"] satisfies SafeParam[];
		const named = fc.record({
			scheme: token,
			params: fc.uniqueArray(fc.record({ name: fc.oneof(fc.constantFrom(...safe, "nonce", "Realm"), token), value, bare: fc.boolean(), escapeAll: fc.constant(false) }), {
				maxLength: 6,
				selector: (param) => param.name.toLowerCase(),
			}),
		});
		fc.assert(
			fc.property(fc.oneof(named, written), (challenge) => {
				const [parsed] = parseChallenges(serialise(challenge, "", ", "));
				const result = toSafeChallenge(parsed!);
				expect(result).not.toHaveProperty("token68");
				expect(Object.keys(result.params).every((key) => safe.includes(key))).toBe(true);
				for (const [key, kept] of Object.entries(result.params)) expect(kept).toBe(parsed!.params[key]);
			}),
			{ numRuns: runs },
		);
	});
});
