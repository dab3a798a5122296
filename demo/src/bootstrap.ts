import type { MockUser } from "../../src/msw/index.js";
import type { AppApi, SignedIn } from "./appApi.js";
import type { EventLog } from "./eventLog.js";
import type { AuthMode } from "./settings.js";
import { forgetUser, rememberUser, storedUser } from "./storedSession.js";

export type BootResult = { type: "signedIn"; user: MockUser } | { type: "signedOut"; message: string };

// After these, the stored credentials are known dead: the reload exists to get new ones from the portal.
const deadCredentialReasons = new Set(["refresh-failed", "unauthorized"]);

/**
 * What the page does on load, as Outline does behind its SSO proxy: ask the portal who is signed in, and
 * exchange the portal's session for the app's own tokens when the stored ones are missing, dead, or
 * someone else's. Plain fetch: this is the page load, not an API call of the app.
 */
export async function bootstrap(mode: AuthMode, api: AppApi, log: EventLog, reauthReason: string | null): Promise<BootResult> {
	const portal = (await (await fetch("/api/auth.portal")).json()) as { data: { user: MockUser | null } };
	const portalUser = portal.data.user;
	const stored = await storedUser(mode, api.hasCredentials);
	if (!portalUser) {
		log.add("info", "portal: nobody is signed in");
		if (stored) await endLocalSession(mode, api);
		return { type: "signedOut", message: "Nobody is signed in at the portal." };
	}
	const why = !stored
		? "no stored session"
		: stored !== portalUser.id
			? `stored session is ${stored}'s, portal says ${portalUser.id}`
			: reauthReason !== null && deadCredentialReasons.has(reauthReason)
				? `reloaded after "${reauthReason}"`
				: undefined;
	if (why === undefined) {
		log.add("info", `using the stored session of ${portalUser.id}`);
		return { type: "signedIn", user: portalUser };
	}
	log.add("info", `SSO exchange (${why})`);
	const response = await fetch("/api/auth.sso", { method: "POST", body: JSON.stringify({ mode, device: "browser tab" }) });
	if (!response.ok) {
		log.add("warn", `SSO exchange refused (${response.status})`);
		return { type: "signedOut", message: "The portal did not sign you in." };
	}
	const signedIn = (await response.json()) as SignedIn;
	log.add("ok", `SSO: the portal signed in ${signedIn.user.name}`);
	await storeSession(mode, api, signedIn);
	return { type: "signedIn", user: signedIn.user };
}

/** Remembers whose session it is before tokenflight tells the other tabs, so a tab that reloads on the news finds it. */
export async function storeSession(mode: AuthMode, api: AppApi, signedIn: SignedIn): Promise<void> {
	rememberUser(mode, signedIn.user.id);
	await api.signIn(signedIn);
}

export async function endLocalSession(mode: AuthMode, api: AppApi): Promise<void> {
	forgetUser(mode);
	await api.logout();
}
