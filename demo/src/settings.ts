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
	 * `"default"` (`?reauth=default`): tokenflight's default, a bare `location.reload()` that keeps the stored
	 * credentials; the naive client's reload then keeps them too (it always was a bare reload).
	 */
	reauth: "demo" | "default";
	/**
	 * `?frame=naive|tokenflight`: this page is one of the two frames of the side-by-side page (`/`), which drives it.
	 * The frame's client is the one it is named after.
	 */
	frame: ClientKind | undefined;
	/**
	 * The naive client reloads on every 401, so a 401 that comes back on every load reloads forever. The side-by-side
	 * page stops its naive frame after this many reloads in a row and says so; the app alone never stops it.
	 */
	naiveReloadCap: number | undefined;
};

const clientKey = "demo:client";

export function readSettings(): Settings {
	const params = new URLSearchParams(location.search);
	const delay = Number(params.get("reauthDelay") ?? "600");
	const frameParam = params.get("frame");
	const frame = frameParam === "naive" || frameParam === "tokenflight" ? frameParam : undefined;
	const cap = Number(params.get("naiveCap") ?? (frame === undefined ? "" : "5"));
	return {
		mode: params.get("mode") === "cookie" ? "cookie" : "bearer",
		store: params.get("store") === "idb" ? "indexedDB" : "localStorage",
		client: frame ?? (localStorage.getItem(clientKey) === "naive" ? "naive" : "tokenflight"),
		reauthDelayMs: Number.isFinite(delay) && delay >= 0 ? delay : 600,
		reauth: params.get("reauth") === "default" ? "default" : "demo",
		frame,
		naiveReloadCap: Number.isInteger(cap) && cap > 0 ? cap : undefined,
	};
}

export function saveClientKind(client: ClientKind): void {
	localStorage.setItem(clientKey, client);
}
