import type { AuthMode } from "./settings.js";

/** Where both clients keep bearer tokens: shared by the tabs, as an SPA's localStorage is. */
export const tokensKey = "demo:tokens";
const userKeys: Record<AuthMode, string> = { bearer: "demo:user", cookie: "demo:cookie-user" };
const reauthKey = "demo:reauth";

/** Whose session the stored credentials are: the app remembers it next to them, as it would a profile cache. */
export async function storedUser(mode: AuthMode, hasCredentials: () => Promise<boolean>): Promise<string | null> {
	const user = localStorage.getItem(userKeys[mode]);
	return user !== null && (await hasCredentials()) ? user : null;
}

export function hasCsrfCookie(): boolean {
	return /(?:^|;\s*)csrfToken=[^;]/.test(document.cookie);
}

export function csrfCookieValue(): string | undefined {
	const value = /(?:^|;\s*)csrfToken=([^;]*)/.exec(document.cookie)?.[1];
	return value ? decodeURIComponent(value) : undefined;
}

export function rememberUser(mode: AuthMode, user: string): void {
	localStorage.setItem(userKeys[mode], user);
}

export function forgetUser(mode: AuthMode): void {
	localStorage.removeItem(userKeys[mode]);
}

/**
 * Set just before a reload that re-authenticates: the next page load of this tab then goes through the
 * portal again instead of reusing credentials it already knows are dead. Per tab (sessionStorage), because
 * another tab may already have stored fresh ones.
 */
export function markReauthReload(reason: string): void {
	sessionStorage.setItem(reauthKey, reason);
}

/** The reason this page was reloaded for, once. */
export function takeReauthReason(): string | null {
	const reason = sessionStorage.getItem(reauthKey);
	sessionStorage.removeItem(reauthKey);
	return reason;
}
