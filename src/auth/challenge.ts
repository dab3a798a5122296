/**
 * One challenge of a `WWW-Authenticate` field (RFC 9110 §11.6.1): `Bearer realm="api", error="invalid_token"`
 * or `Negotiate abc123==`.
 */
export type Challenge = {
	/** The auth-scheme, lower-cased (`"bearer"`, `"dpop"`): schemes are case-insensitive (RFC 9110 §11.1). */
	scheme: string;
	/** auth-params by lower-cased name, quoted-string values unescaped. Has no prototype, so `__proto__` is an ordinary name. */
	params: Record<string, string>;
	/** The token68 form (RFC 9110 §11.2), which a challenge carries instead of params. May be a credential: never log it. */
	token68?: string;
};

/** The auth-params {@link toSafeChallenge} keeps: defined by RFC 6750 §3, RFC 9470 §3, RFC 9449 §7.1 and RFC 9728 §5.1, none secret. */
export type SafeParam = "realm" | "error" | "error_description" | "error_uri" | "scope" | "acr_values" | "max_age" | "algs" | "resource_metadata";

/** A challenge stripped of its token68 and of every param not known to be harmless, fit for `error.challenge` and logs. */
export type SafeChallenge = { scheme: string; params: Partial<Record<SafeParam, string>> };

/**
 * What a challenge asks of the client:
 * - `"step-up"`: the user must authenticate again, more strongly or more recently (RFC 9470 `insufficient_user_authentication`).
 * - `"insufficient-scope"`: the token lacks `scope` (RFC 6750 §3.1).
 * - `"dpop-nonce"`: retry with the nonce from the `DPoP-Nonce` header (RFC 9449 §9).
 * - `"invalid-token"`: the token is expired, revoked or malformed (RFC 6750 §3.1).
 * - `"other"`: an error this client has no rule for, or one from a scheme other than Bearer and DPoP.
 * - `"none"`: no challenge names an error, e.g. a request that carried no token.
 */
export type AuthChallenge =
	| { kind: "step-up"; acrValues?: string[]; maxAge?: number; challenge: SafeChallenge }
	| { kind: "insufficient-scope"; scope?: string[]; challenge: SafeChallenge }
	| { kind: "dpop-nonce"; challenge: SafeChallenge }
	| { kind: "invalid-token"; challenge: SafeChallenge }
	| { kind: "other"; challenge: SafeChallenge }
	| { kind: "none" };

const SAFE_PARAMS: readonly SafeParam[] = ["realm", "error", "error_description", "error_uri", "scope", "acr_values", "max_age", "algs", "resource_metadata"];

// Sticky, so each one matches only at `lastIndex`. A token68 counts only when it fills its list element: `a=b` is an auth-param.
const TOKEN = /[\w!#$%&'*+.^`|~-]+/y;
const TOKEN68 = /[\w.~+/-]+=*(?=[ \t]*(?:,|$))/y;
const QUOTED = /"((?:[^"\\]|\\[^])*)"/y;

/**
 * Parses every challenge of a `WWW-Authenticate` field (RFC 9110 §11.6.1). Given `Headers`, it reads
 * `get("www-authenticate")`, which joins repeated fields with `", "`, itself a valid list of challenges.
 *
 * Never throws. A field that does not follow the grammar yields `[]` as a whole, not the challenges before the
 * fault: commas separate both challenges and params, so after a fault no position is known to start a challenge,
 * and a guess could hand one challenge's `error` to another. A param repeated within a challenge is such a fault
 * (RFC 9110 §11.2, RFC 6750 §3).
 *
 * @example
 * parseChallenges('Bearer realm="example", error="invalid_token"');
 * // [{ scheme: "bearer", params: { realm: "example", error: "invalid_token" } }]
 */
export function parseChallenges(header: string | Headers | null | undefined): Challenge[] {
	const input = typeof header === "object" && header !== null ? header.get("www-authenticate") : header;
	if (!input) return [];
	const challenges: Challenge[] = [];
	let current: Challenge | undefined;
	let i = 0;
	const match = (pattern: RegExp) => {
		pattern.lastIndex = i;
		const found = pattern.exec(input);
		if (found) i = pattern.lastIndex;
		return found;
	};
	const skipSpace = () => {
		while (input[i] === " " || input[i] === "\t") i++;
	};
	// auth-param = token BWS "=" BWS ( token / quoted-string )
	const param = (target: Challenge) => {
		const name = match(TOKEN)?.[0].toLowerCase();
		skipSpace();
		if (name === undefined || input[i] !== "=" || name in target.params) return false;
		i++;
		skipSpace();
		const value = match(QUOTED)?.[1]?.replace(/\\([^])/g, "$1") ?? match(TOKEN)?.[0];
		if (value !== undefined) target.params[name] = value;
		return value !== undefined;
	};
	for (;;) {
		// Empty list elements (`, ,`) are allowed anywhere in a list (RFC 9110 §5.6.1).
		while (input[i] === "," || input[i] === " " || input[i] === "\t") i++;
		if (i >= input.length) return challenges;
		const start = i;
		const name = match(TOKEN)?.[0];
		if (name === undefined) return [];
		skipSpace();
		if (input[i] === "=") {
			// `name=` continues the params of the challenge before it; a token68 challenge has none.
			i = start;
			if (!current || current.token68 !== undefined || !param(current)) return [];
		} else {
			current = { scheme: name.toLowerCase(), params: Object.create(null) as Record<string, string> };
			challenges.push(current);
			// After `scheme 1*SP` comes a token68 or the first auth-param.
			if (i > start + name.length && i < input.length && input[i] !== ",") {
				const token68 = match(TOKEN68)?.[0];
				if (token68 !== undefined) current.token68 = token68;
				else if (!param(current)) return [];
			}
		}
		skipSpace();
		if (i < input.length && input[i] !== ",") return [];
	}
}

/**
 * Keeps only the scheme and the {@link SafeParam}s of a challenge. Drops the token68 and unknown params, which
 * may carry secrets (a nonce, a session handle), so the result can go on an error that gets logged.
 */
export function toSafeChallenge(challenge: Challenge): SafeChallenge {
	const params: SafeChallenge["params"] = {};
	for (const key of SAFE_PARAMS) {
		const value = challenge.params[key];
		// Own params only: a hand-built challenge's prototype is not the server's word.
		if (value !== undefined && Object.hasOwn(challenge.params, key)) params[key] = value;
	}
	return { scheme: challenge.scheme, params };
}

/**
 * Decides what a 401 or 403 asks of the client from its parsed challenges. The first Bearer or DPoP challenge
 * with an `error` wins, then the first challenge of any scheme with one; only Bearer and DPoP errors map to an
 * action, since other schemes define their own meanings. The `challenge` returned is already {@link toSafeChallenge}'d.
 *
 * @example
 * classifyChallenge(parseChallenges(response.headers)).kind; // "invalid-token"
 */
export function classifyChallenge(challenges: readonly Challenge[]): AuthChallenge {
	const isOAuth = (c: Challenge) => c.scheme === "bearer" || c.scheme === "dpop";
	const chosen = challenges.find((c) => isOAuth(c) && c.params["error"] !== undefined) ?? challenges.find((c) => c.params["error"] !== undefined);
	if (!chosen) return { kind: "none" };
	const challenge = toSafeChallenge(chosen);
	const { error, acr_values, max_age, scope } = challenge.params;
	if (!isOAuth(chosen)) return { kind: "other", challenge };
	if (error === "insufficient_user_authentication") {
		const stepUp: AuthChallenge = { kind: "step-up", challenge };
		const acrValues = words(acr_values);
		if (acrValues) stepUp.acrValues = acrValues;
		// RFC 9470 §3: max_age is a whole number of seconds; anything else is ignored rather than guessed at.
		if (max_age !== undefined && /^\d+$/.test(max_age) && Number.isSafeInteger(+max_age)) stepUp.maxAge = +max_age;
		return stepUp;
	}
	if (error === "insufficient_scope") {
		const result: AuthChallenge = { kind: "insufficient-scope", challenge };
		const scopes = words(scope);
		if (scopes) result.scope = scopes;
		return result;
	}
	if (error === "use_dpop_nonce" && chosen.scheme === "dpop") return { kind: "dpop-nonce", challenge };
	if (error === "invalid_token") return { kind: "invalid-token", challenge };
	return { kind: "other", challenge };
}

/** Splits a space-delimited list (`scope`, `acr_values`); undefined when it names nothing. */
function words(value: string | undefined): string[] | undefined {
	const list = value?.split(" ").filter(Boolean);
	return list?.length ? list : undefined;
}
