// Outline's app/stores/AuthStore.ts, trimmed to what the session touches, in mobx 4's idiom without decorators:
// `extendObservable` + `action`, which run unchanged from mobx 4.15.7 (Outline's) to mobx 7. Upstream registers
// `client.setUnauthorizedHandler(...)`; here tokenflight's session says when it ended, once, and why.
import { action, extendObservable, runInAction } from "mobx";
import { createSessionStore, type ObservableSession } from "tokenflight/mobx";
import type { SessionReason } from "tokenflight";
import type ApiClient from "./ApiClient.js";

export type User = { id: string; name: string };
export type Team = { id: string; name: string; url: string };
export type LogoutOptions = { clearCache?: boolean; revokeToken?: boolean; savePath?: boolean; userInitiated?: boolean };

/** What Outline imports from elsewhere (`~/hooks/useLastVisitedPath`, `~/utils/developer`, `window.location`). */
export type AuthStoreEnv = {
	setPostLoginPath(path: string): void;
	deleteAllDatabases(): Promise<void>;
	location: Pick<Location, "pathname" | "search">;
};

const browserEnv = (): AuthStoreEnv => ({
	setPostLoginPath: (path) => localStorage.setItem("postLoginRedirectPath", path),
	deleteAllDatabases: async () => {
		for (const { name } of await indexedDB.databases()) if (name) indexedDB.deleteDatabase(name);
	},
	location: window.location,
});

/** The arguments upstream's unauthorized handler and cross-tab listener pass to `logout`, by why the session ended. */
export function logoutOptionsFor(reason: SessionReason): LogoutOptions {
	if (reason === "user_suspended") return { savePath: false, revokeToken: false, clearCache: true };
	if (reason === "signed-out-elsewhere") return { savePath: false, revokeToken: false, clearCache: false };
	return { savePath: true, revokeToken: false, clearCache: false };
}

export default class AuthStore {
	/* The user and team that are currently signed in. */
	declare user: User | null | undefined;
	declare team: Team | null | undefined;
	/* A short-lived token to be used to authenticate with the collaboration server. */
	declare collaborationToken: string | null | undefined;
	/* When set, the user will be redirected to this URL after logging out. */
	declare logoutRedirectUri: string | undefined;
	declare isFetching: boolean;
	/** Whether the user is signed in. */
	declare readonly authenticated: boolean;
	/** tokenflight's session as observables: `session.isReauthenticating` is true while the page reloads. */
	readonly session: ObservableSession;

	constructor(
		private readonly client: ApiClient,
		private readonly env: AuthStoreEnv = browserEnv(),
	) {
		extendObservable(this, {
			user: undefined,
			team: undefined,
			collaborationToken: undefined,
			logoutRedirectUri: undefined,
			isFetching: false,
			get authenticated(): boolean {
				return !!this.user && !!this.team;
			},
		});
		this.session = createSessionStore(client.client, {
			// `reason` is undefined after `client.client.logout()`: nothing died, nothing to do.
			onSessionEnded: ({ reason }) => void (reason && this.logout(logoutOptionsFor(reason))),
		});
	}

	fetchAuth = action("AuthStore#fetchAuth", async () => {
		this.isFetching = true;
		try {
			const res = await this.client.post<{ data: { user: User; team: Team; collaborationToken: string } }>("/auth.info");
			runInAction(() => {
				this.user = res.data.user;
				this.team = res.data.team;
				this.collaborationToken = res.data.collaborationToken;
			});
		} finally {
			runInAction(() => (this.isFetching = false));
		}
	});

	/**
	 * Logs the user out and optionally revokes the authentication token.
	 *
	 * @param clearCache Whether to clear the IndexedDB databases used for document caching.
	 * @param revokeToken Whether the auth token should attempt to be revoked, this should be
	 * disabled with requests from ApiClient to prevent infinite loops.
	 * @param savePath Whether the current path should be saved and returned to after login.
	 * @param userInitiated Whether the logout was initiated by the user (upstream then logs out of an OIDC provider too;
	 * left out here, as are the apex `sessions` cookie and the desktop bridge).
	 */
	logout = action("AuthStore#logout", async ({ clearCache = true, revokeToken = true, savePath = false }: LogoutOptions) => {
		// if this logout was forced from an authenticated route then
		// save the current path so we can go back there once signed in
		if (savePath) {
			this.env.setPostLoginPath(this.env.location.pathname + this.env.location.search);
		}
		if (revokeToken) {
			try {
				// invalidate authentication token on server and unset auth cookie
				await this.client.post(`/auth.delete`);
			} catch {
				// Logger.error("Failed to delete authentication", err) upstream
			}
		}
		if (clearCache) {
			// clear IndexedDB databases used for document caching
			await this.env.deleteAllDatabases();
		}
		// clear all credentials from cache (and local storage via autorun)
		runInAction(() => {
			this.user = null;
			this.team = null;
			this.collaborationToken = null;
		});
	});

	/** Stops following the client's session. */
	dispose() {
		this.session.dispose();
	}
}
