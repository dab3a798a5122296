export type TokenSet = {
	accessToken: string;
	refreshToken?: string | undefined;
	/** Epoch milliseconds. When absent and the access token is a JWT, its `exp` claim is used. */
	expiresAt?: number | undefined;
};

type MaybePromise<T> = T | Promise<T>;

/** Where tokens live. Any method may be sync or async. */
export type TokenStore = {
	get(): MaybePromise<TokenSet | null | undefined>;
	set(tokens: TokenSet): MaybePromise<void>;
	clear(): MaybePromise<void>;
};
