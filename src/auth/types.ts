import type { SessionReason } from "../session/sessionState.js";
import type { TokenSet } from "../tokens/types.js";

/** What a 401 for a trusted request leads to. */
export type Recovery =
	| { type: "retry" }
	| { type: "reauthenticate"; reason: SessionReason; credential: string | undefined }
	| { type: "fail"; error: unknown };

/**
 * Per request: how far recovery from 401s has gone. `failed`: this request's refresh of `accessToken` failed in this
 * session generation; a 401 for that same token does not wait for another (another tab's hung refresh stalls a request
 * one wait, not two).
 */
export type RecoveryState = {
	retriedWithNewToken: boolean;
	refreshes: number;
	failed?: { error: unknown; generation: number; accessToken: string };
};

/**
 * How one kind of credential is attached to trusted requests and recovered after a 401. The request loop in
 * `client.ts` knows nothing else about bearer tokens or cookies.
 */
export type Credentials = {
	/** What the next request goes out with (bearer: the stored tokens, refreshed first when expiring). */
	prepare(signal: AbortSignal | undefined, state?: RecoveryState): Promise<TokenSet | undefined>;
	/** Headers for a request whose URL is trusted. Throws `InvalidCredentialError` for a value that cannot be a header. */
	headers(tokens: TokenSet | undefined, method: string): [name: string, value: string][];
	/**
	 * Headers computed for the URL and method actually sent, after every ky hook (a DPoP proof binds both). Only for
	 * trusted URLs; may be absent.
	 */
	sign?: ((tokens: TokenSet | undefined, method: string, url: URL) => Promise<[name: string, value: string][]>) | undefined;
	/** Whether a `use_dpop_nonce` challenge can be answered by sending the request again with the server's nonce. */
	readonly retriesNonce: boolean;
	/** The fetch `credentials` mode of a trusted request. */
	mode(requested: RequestCredentials | undefined): RequestCredentials;
	/** Whether a request sent with `tokens` carried the session's credentials, so that its success proves them. */
	proves(tokens: TokenSet | undefined): boolean;
	/** The credential a request was sent with, as the loop guard names it (never stored as is: fingerprinted). */
	credentialOf(tokens: TokenSet | undefined): string | undefined;
	recover(sent: TokenSet | undefined, state: RecoveryState, signal: AbortSignal | undefined): Promise<Recovery>;
	/** Sees every response of a trusted origin (the server's clock, a DPoP nonce); `url` is where it came from. */
	observe(response: Response, url: string | undefined): void;
	/** Writes a sign-in's tokens unless the session has moved past `generation`; resolves whether they were stored. */
	store(tokens: TokenSet | undefined, generation: number): Promise<boolean>;
	/** Empties the store, after any write already under way. */
	clear(): Promise<void>;
	refreshIfExpiring(): Promise<void>;
	/** Refreshes now, whatever the expiry (`staySignedIn()`); resolves when done, never rejects for a failed refresh. */
	refreshNow(): Promise<void>;
	/** A refresh token another tab rotated away (its fingerprint). */
	rotatedElsewhere(fingerprint: string): void;
	dispose(): void;
};
