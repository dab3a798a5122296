// A single-page app without a framework or a bundler: tokens in IndexedDB (shared by the tabs), the default
// reauthenticate (one reload when the session dies), and the session shown through session.subscribe.
import { createClient, indexedDbTokenStore, oauthRefresh } from "tokenflight";

const $ = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (document.querySelector(selector));

/** Anything that escapes: the recipe's promise is that a dead session shows none. */
function showError(/** @type {unknown} */ error) {
	const item = document.createElement("li");
	item.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
	$("#errors").append(item);
}
window.addEventListener("error", (event) => showError(event.error));
window.addEventListener("unhandledrejection", (event) => showError(event.reason));

const api = createClient({
	baseUrl: "/api/",
	auth: {
		type: "bearer",
		store: indexedDbTokenStore(),
		refresh: oauthRefresh({ tokenEndpoint: `${location.origin}/oauth/token`, clientId: "spa" }),
	},
	// No reauthenticate: the default reloads the page once; the loop guard stops a session that keeps failing.
});

api.session.subscribe(({ status, identity }) => {
	$("#status").textContent = identity ? `${status} as ${identity}` : status;
});

async function loadProfile() {
	try {
		const me = /** @type {{ name: string }} */ (await api.get("me"));
		$("#profile").textContent = `Hello, ${me.name}`;
	} catch (error) {
		showError(error);
	}
}
$("#load").addEventListener("click", () => void loadProfile());

// Your sign-in goes here (a login form, an OIDC redirect). This example's server stands in for it: it hands out
// tokens for its one user, as the page after a sign-in would receive them.
const tokens = await fetch("/auth/tokens", { method: "POST" }).then((response) => response.json());
await api.signIn(tokens);
await loadProfile();
document.documentElement.dataset["ready"] = "true";
