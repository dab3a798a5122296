export type TokenSet = {
	accessToken: string;
	refreshToken?: string | undefined;
	/** Epoch milliseconds. When absent and the access token is a JWT, its `exp` claim is used. */
	expiresAt?: number | undefined;
	/** Epoch milliseconds when the refresh token stops working (a token response's `refresh_expires_in`): an absolute limit. */
	refreshExpiresAt?: number | undefined;
	/** The OIDC ID token, when the token response had one: its `auth_time` can bound the session (`absolute.maxAuthAgeMs`). */
	idToken?: string | undefined;
};

type MaybePromise<T> = T | Promise<T>;

/** Where tokens live. Any method may be sync or async. */
export type TokenStore = {
	get(): MaybePromise<TokenSet | null | undefined>;
	set(tokens: TokenSet): MaybePromise<void>;
	clear(): MaybePromise<void>;
};
