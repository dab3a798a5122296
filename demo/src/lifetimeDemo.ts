// The two-tab lifetime scenario (`/lifetime.html`): the page holds two same-origin frames, each a "tab" with its own
// tokenflight client (`?tab=A`, `?tab=B`). They share localStorage and tokenflight's BroadcastChannel exactly as two
// browser tabs do, so the idle clock, the warning, "stay signed in" and the sign-out cross between them for real.
// Each frame posts its client's events to the page, which logs them side by side.
import { createClient, storageTokenStore, type TokenflightEvent } from "../../src/index.js";

type TabReport = { source: "tokenflight-lifetime-tab"; tab: string; event: TokenflightEvent };

const params = new URLSearchParams(location.search);
const tab = params.get("tab");
const idleMs = Math.max(6_000, Number(params.get("idle") ?? 30_000));
const warnMs = Math.min(idleMs / 2, Number(params.get("warn") ?? 15_000));
const root = document.querySelector<HTMLElement>("#root")!;

if (tab) runTab(tab);
else runPage();

function runPage(): void {
	const query = `idle=${idleMs}&warn=${warnMs}`;
	root.innerHTML = `
		<header class="masthead"><h1>tokenflight · session lifetime in two tabs</h1>
			<button type="button" class="primary" id="sign-in">Sign in (both tabs)</button>
			<span>idle timeout ${idleMs / 1000} s, warning ${warnMs / 1000} s before</span></header>
		<div class="layout">
			<section class="frame"><h2>Tab A</h2><iframe title="Tab A" src="/lifetime.html?tab=A&${query}"></iframe></section>
			<section class="frame"><h2>Tab B</h2><iframe title="Tab B" src="/lifetime.html?tab=B&${query}"></iframe></section>
			<section class="log" aria-label="Event log"><h2>client.events</h2><ol id="log"></ol></section>
		</div>
		<p class="note">Move the mouse over one tab only: the other stays signed in. Leave both alone: the warning shows in both;
		"Stay signed in" in one dismisses it in both (one refresh); otherwise both sign out with reason "idle".</p>`;
	const log = root.querySelector<HTMLOListElement>("#log")!;
	const started = Date.now();
	window.addEventListener("message", (message: MessageEvent<TabReport>) => {
		if (message.origin !== location.origin || message.data?.source !== "tokenflight-lifetime-tab") return;
		const { tab: from, event } = message.data;
		const { type, at, ...fields } = event;
		const line = document.createElement("li");
		line.dataset.type = type;
		line.textContent = `${((at - started) / 1000).toFixed(1).padStart(6)} s  ${from}  ${type}  ${JSON.stringify(fields)}`;
		log.append(line);
		line.scrollIntoView({ block: "nearest" });
	});
	// A sign-in both tabs load with, as after a login page: the session and a fresh idle clock, then both tabs (re)load.
	root.querySelector("#sign-in")!.addEventListener("click", () => {
		localStorage.setItem("lifetime-demo:tokens", JSON.stringify({ accessToken: "at-0", refreshToken: "rt-0", expiresAt: Date.now() + 3_600_000 }));
		localStorage.removeItem("tokenflight:lifetime:lifetime-demo");
		log.replaceChildren();
		for (const frame of root.querySelectorAll("iframe")) frame.contentWindow?.location.reload();
	});
}

function runTab(name: string): void {
	let refreshes = 0;
	const client = createClient({
		baseUrl: `${location.origin}/api/`,
		auth: {
			type: "bearer",
			store: storageTokenStore(localStorage, "lifetime-demo:tokens"),
			refresh: async ({ refreshToken }) => {
				refreshes++;
				return { accessToken: `at-${Date.now()}`, refreshToken: `${refreshToken ?? "rt"}+`, expiresAt: Date.now() + 3_600_000 };
			},
		},
		idle: { timeoutMs: idleMs, warnBeforeMs: warnMs },
		onSessionEnded: "signOut",
		tabs: { name: "lifetime-demo" },
	});
	client.events.subscribe((event) => parent.postMessage({ source: "tokenflight-lifetime-tab", tab: name, event } satisfies TabReport, location.origin));
	root.innerHTML = `<div class="tab">
		<div>Session: <span class="status" id="status"></span></div>
		<div class="deadline" id="deadline"></div>
		<div class="warning" id="warning" role="alert" hidden><p id="warning-text"></p><button type="button" class="primary" id="stay">Stay signed in</button></div>
		<div class="deadline" id="refreshes"></div></div>`;
	const $ = (id: string) => root.querySelector<HTMLElement>(`#${id}`)!;
	const render = () => {
		const session = client.session.getSnapshot();
		const { idleDeadline, warning } = client.lifetime.getSnapshot();
		$("status").textContent = session.status + (session.reason ? ` (${session.reason})` : "");
		$("deadline").textContent = idleDeadline ? `idle sign-out in ${Math.max(0, Math.ceil((idleDeadline - Date.now()) / 1000))} s` : "";
		$("warning").hidden = !warning;
		$("warning-text").textContent = warning === "idle" ? "You've been inactive. Your session ends soon." : "Your session reaches its limit soon.";
		$("refreshes").textContent = `refreshes by this tab: ${refreshes}`;
	};
	client.lifetime.subscribe(render);
	client.session.subscribe(render);
	setInterval(render, 500);
	$("stay").addEventListener("click", () => void client.staySignedIn().then(render));
	render();
}
