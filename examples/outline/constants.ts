// The parts of Outline's shared/constants.ts and shared/editor/version.ts that ApiClient imports.

/** The editor version the client sends in `x-editor-version`; an older major than the server's must reload. */
export const EDITOR_VERSION = "17.0.0";

export const CSRF = {
	/** Cookie name used on secure origins. */
	secureCookieName: "__Host-csrfToken",
	/** Cookie name used over HTTP, where the `__Host-` prefix is not accepted. */
	cookieName: "csrfToken",
	/** Request header that carries the token for API requests. */
	headerName: "x-csrf-token",
};

/** The maximum number of sub-requests permitted in a single `/batch` request. */
export const BatchMaxRequests = 25;

/** RPC methods that may be coalesced into a single `/batch` request. */
export const BatchableApiMethods = [
	"documents.update",
	"documents.move",
	"documents.archive",
	"documents.restore",
	"documents.unpublish",
	"documents.delete",
	"collections.update",
	"collections.move",
	"collections.archive",
	"collections.restore",
	"collections.delete",
	"stars.create",
	"stars.delete",
	"pins.create",
	"pins.delete",
] as const;
