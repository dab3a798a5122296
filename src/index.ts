export { createClient } from "./createClient.js";
export type { BearerAuth, Client, ClientOptions, ClientSession, CookieAuth, Reauthenticate, SessionEndedPolicy, StepUp, StepUpContext } from "./options.js";
export type { DPoPBinding } from "./auth/bearer.js";
export { answeredFromOutside } from "./session/sessionEnded.js";
export type { AnsweredFromOutsideOptions, SessionEnded, SessionEndedContext } from "./session/sessionEnded.js";
export { classifyChallenge, parseChallenges } from "./auth/challenge.js";
export type { AuthChallenge, Challenge, SafeChallenge } from "./auth/challenge.js";
export type { RequestOptions } from "./core/requestOptions.js";
export type { RedirectHop } from "./core/transport.js";
export {
	ApiError,
	AuthenticationError,
	BodyNotReplayableError,
	ForbiddenError,
	HttpError,
	InsufficientScopeError,
	InvalidCredentialError,
	InvalidDPoPProofError,
	NetworkError,
	NotReplayedError,
	RedirectError,
	NotFoundError,
	RateLimitError,
	RefreshError,
	ResponseParseError,
	ServerError,
	StepUpRequiredError,
	TimeoutError,
	TokenStoreError,
	UseDPoPNonceError,
	isApiError,
} from "./errors.js";
export type { ApiErrorCode, ApiErrorOptions } from "./errors.js";
export type { RefreshContext, RefreshFunction, RefreshRetryOptions } from "./refresh/types.js";
export { classifyRefreshError } from "./refresh/classifyRefreshError.js";
export type { RefreshFailureKind } from "./refresh/classifyRefreshError.js";
export type { ReloadGuardOptions } from "./session/reloadGuard.js";
export type { SessionListener, SessionReason, SessionSnapshot, SessionStatus, SessionStore } from "./session/sessionState.js";
export type { TabsOptions } from "./tabs/tabSync.js";
export { cookieTokenStore } from "./tokens/cookieTokenStore.js";
export { memoryTokenStore, storageTokenStore } from "./tokens/tokenStores.js";
export { indexedDbTokenStore } from "./tokens/indexedDbTokenStore.js";
export type { CookieAttributes } from "./tokens/cookieTokenStore.js";
export type { StorageLike } from "./tokens/tokenStores.js";
export type { TokenSet, TokenStore } from "./tokens/types.js";
export { oauthRefresh, parseTokenResponse } from "./oauth/oauthRefresh.js";
export type { OAuthDPoP, OAuthRefreshOptions } from "./oauth/oauthRefresh.js";
export { watchSession } from "./session/watchSession.js";
export type { SessionCallbacks } from "./session/watchSession.js";
export { redirectTo } from "./session/redirectTo.js";
export type { RedirectOptions } from "./session/redirectTo.js";
export type { ChallengeKind, EventStream, TokenflightEvent, TokenflightEventListener, TokenflightEventType } from "./events/events.js";
export type { AbsoluteLimit, ActivityTarget, IdleOptions, LifetimeSnapshot, LifetimeStore } from "./lifetime/options.js";
