// One tab of the two-tab lifetime test (test/browser/lifetime.test.ts): a bearer client with a short idle timeout,
// its tokens in localStorage (shared by the tabs), the refresh lock and channel tokenflight opens by default.
import { createClient, storageTokenStore, type LifetimeSnapshot, type TokenflightEvent } from "../../../src/index.js";

const params = new URLSearchParams(location.search);
const timeoutMs = Number(params.get("idle") ?? 8_000);
const warnBeforeMs = Number(params.get("warn") ?? 4_000);
const store = storageTokenStore(localStorage, "lifetime-test:tokens");
const events: TokenflightEvent[] = [];
const signedOut: string[] = [];

const client = createClient({
	baseUrl: `${location.origin}/api/`,
	auth: {
		type: "bearer",
		store,
		refresh: async ({ refreshToken }) => {
			localStorage.setItem("lifetime-test:refreshes", String(Number(localStorage.getItem("lifetime-test:refreshes") ?? 0) + 1));
			return { accessToken: `at-${Date.now()}`, refreshToken: `${refreshToken}+`, expiresAt: Date.now() + 3_600_000 };
		},
	},
	idle: { timeoutMs, warnBeforeMs, activityTarget: null },
	onSessionEnded: "signOut",
	onSignedOut: (reason) => void signedOut.push(reason),
	reloadGuard: { storage: sessionStorage },
});
client.events.subscribe((event) => events.push(event));

const view = document.createElement("main");
view.innerHTML = '<p id="warning" role="status"></p><p id="status"></p><button type="button" id="stay">Stay signed in</button>';
document.body.append(view);
const render = (snapshot: LifetimeSnapshot = client.lifetime.getSnapshot()) => {
	document.querySelector("#warning")!.textContent = snapshot.warning ? `Your session ends soon (${snapshot.warning})` : "";
	document.querySelector("#status")!.textContent = client.session.getSnapshot().status;
};
client.lifetime.subscribe(render);
client.session.subscribe(() => render());
document.querySelector("#stay")!.addEventListener("click", () => void client.staySignedIn());
render();

Object.assign(window, {
	lifetimeTest: {
		signIn: () => client.signIn({ accessToken: "at-0", refreshToken: "rt-0", expiresAt: Date.now() + 3_600_000 }),
		state: () => ({
			lifetime: client.lifetime.getSnapshot(),
			session: client.session.getSnapshot(),
			stored: localStorage.getItem("lifetime-test:tokens"),
			refreshes: Number(localStorage.getItem("lifetime-test:refreshes") ?? 0),
			signedOut,
			events: events.map((event) => event.type),
		}),
	},
});
