/** How this page runs: chosen by the URL (`?mode=cookie`) and by the client switch (kept in localStorage). */
export type AuthMode = "bearer" | "cookie";
export type ClientKind = "tokenflight" | "naive";

/** Where tokenflight keeps bearer tokens: localStorage (the default) or IndexedDB (`?store=idb`). */
export type TokenStoreKind = "localStorage" | "indexedDB";

export type Settings = {
	mode: AuthMode;
	store: TokenStoreKind;
	client: ClientKind;
	/** How long the page shows "signing you in again" before it reloads, so a person can see it happen. */
	reauthDelayMs: number;
	/**
	 * `"demo"`: the demo's reauthenticate (marks the reload, so the next load signs in again through the portal).
	 * `"default"` (`?reauth=default`): tokenflight's default, a bare `location.reload()` that keeps the stored credentials.
	 */
	reauth: "demo" | "default";
};

const clientKey = "demo:client";

export function readSettings(): Settings {
	const params = new URLSearchParams(location.search);
	const delay = Number(params.get("reauthDelay") ?? "600");
	return {
		mode: params.get("mode") === "cookie" ? "cookie" : "bearer",
		store: params.get("store") === "idb" ? "indexedDB" : "localStorage",
		client: localStorage.getItem(clientKey) === "naive" ? "naive" : "tokenflight",
		reauthDelayMs: Number.isFinite(delay) && delay >= 0 ? delay : 600,
		reauth: params.get("reauth") === "default" ? "default" : "demo",
	};
}

export function saveClientKind(client: ClientKind): void {
	localStorage.setItem(clientKey, client);
}
