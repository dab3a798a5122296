import type { FrameReport, FrameScenario, RunCommand } from "./frameBridge.js";
import type { LogEntry } from "./eventLog.js";
import type { AuthMode, ClientKind } from "./settings.js";
import { reactQueryCard } from "./reactQueryCard.js";
import { elapsed } from "./view.js";

/**
 * The side-by-side page (`/` under `npm run demo`, `/side-by-side` always): the app twice, in two frames, on the naive
 * ky client and on tokenflight. One button resets both frames' sandboxes, then has both run the same scenario; the
 * frames report what their user saw (demo/src/frameBridge.ts), and the page counts and sums it up.
 */

type ScenarioInfo = {
	id: FrameScenario;
	title: string;
	tag: string;
	what: string;
	/** Extra query for both frames. */
	query?: string;
	/** Why the scenario shows nothing in this mode, when it does not. */
	notIn?: Partial<Record<AuthMode, string>>;
};

const scenarios: ScenarioInfo[] = [
	{
		id: "switch",
		title: "Identity switch",
		tag: "seed 001",
		what: "Someone else signs in at the company portal. Back in the tab, 10 requests in flight each get a 401.",
	},
	{
		id: "switch-redirect",
		title: "Stale session → 302 → HTML",
		tag: "seed 001",
		what: "The same switch, but the server redirects the old session to an HTML page. Nothing says 401.",
	},
	{
		id: "embedded",
		title: "One endpoint keeps answering 401",
		tag: "seed 002",
		what: "The dashboard answers 200, the embedded app 401, on every load: a reload keeps the same credential.",
		query: "reauth=default",
	},
	{
		id: "step-up",
		title: "Step-up: the export needs 2FA",
		tag: "RFC 9470",
		what: "The session is fine, but exporting needs a fresh second factor: a 401 step-up challenge for that one request.",
	},
	{
		id: "burst",
		title: "20 requests, expired token",
		tag: "single flight",
		what: "Every access token expires at the server, then 20 requests go out at once.",
		notIn: {
			cookie: "Cookie session: no access token to expire, so both clients just send 20 requests. Switch to bearer tokens to see one refresh against twenty 401s.",
		},
	},
];

const sides: ClientKind[] = ["naive", "tokenflight"];
const names: Record<ClientKind, string> = { naive: "naive", tokenflight: "tokenflight" };
const userNames: Record<string, string> = { alice: "Alice", bob: "Bob" };

const params = new URLSearchParams(location.search);
const mode: AuthMode = params.get("mode") === "cookie" ? "cookie" : "bearer";
const pageDelay = Math.max(0, Math.min(Number(params.get("pageDelay") ?? "2000") || 0, 10_000));
const naiveCap = 5;
/** Quiet this long, with both frames booted and idle, and a run is over. */
const settleMs = 2_500;
const runTimeoutMs = 90_000;

type Side = {
	kind: ClientKind;
	iframe: HTMLIFrameElement;
	origin: string;
	report: FrameReport | undefined;
	/** Documents that reported before the current reset: their word no longer counts. */
	staleDocuments: Set<string>;
	lastChange: number;
	fingerprint: string;
};

type Phase = "loading" | "idle" | "resetting" | "running" | "done";
type RunState = { scenario: FrameScenario; mode: AuthMode; phase: Phase; startedAt: number; timedOut: boolean };

let run: RunState | undefined;
let phase: Phase = "loading";

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
	const element = document.getElementById(id);
	if (!element) throw new Error(`#${id} is missing from side-by-side.html`);
	return element as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
	const node = document.createElement(tag);
	if (className) node.className = className;
	if (text) node.textContent = text;
	return node;
}

function plural(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}

function frameUrl(base: string, kind: ClientKind, info: ScenarioInfo | undefined): string {
	const query = new URLSearchParams({ frame: kind, reset: "1", parent: location.origin });
	if (mode === "cookie") query.set("mode", "cookie");
	if (pageDelay > 0) query.set("pageDelay", String(pageDelay));
	if (kind === "naive") query.set("naiveCap", String(naiveCap));
	for (const [key, value] of new URLSearchParams(info?.query ?? "")) query.set(key, value);
	return `${base}app?${query.toString()}`;
}

// ── Rendering ────────────────────────────────────────────────────────────────────────────────────────────────────────

function renderScenarios(): void {
	const list = byId("scenario-list");
	list.replaceChildren(
		...scenarios.map((info, index) => {
			const button = el("button", "scenario");
			button.type = "button";
			button.dataset.scenario = info.id;
			button.setAttribute("aria-labelledby", `scenario-title-${info.id}`);
			button.setAttribute("aria-describedby", `scenario-what-${info.id}`);
			const head = el("span", "scenario-head");
			const title = el("span", "scenario-title", info.title);
			title.id = `scenario-title-${info.id}`;
			head.append(el("span", "scenario-number", String(index + 1)), title, el("span", "run-label", "Run ▸"));
			const what = el("span", "scenario-what", info.notIn?.[mode] ?? info.what);
			what.id = `scenario-what-${info.id}`;
			what.prepend(el("span", "tag", info.tag), " ");
			button.append(head, what);
			if (info.notIn?.[mode]) button.classList.add("not-applicable");
			return button;
		}),
		twoTabsCard(),
		reactQueryCard(scenarios.length + 2),
	);
}

function twoTabsCard(): HTMLElement {
	const card = el("div", "scenario static");
	const head = el("span", "scenario-head");
	head.append(el("span", "scenario-number", String(scenarios.length + 1)), el("span", "scenario-title", "Two tabs"));
	const what = el("span", "scenario-what", "One refresh and one sign-out for all the tabs of a browser. It takes two real tabs: ");
	what.prepend(el("span", "tag", "tabs"), " ");
	const link = el("a", "", "open the app");
	link.href = `/app${mode === "cookie" ? "?mode=cookie" : ""}`;
	link.target = "_blank";
	what.append(link, document.createTextNode(", click “Open second tab”, then “Switch identity” or “Log out” in one."));
	card.append(head, what);
	return card;
}

function renderModeSwitch(): void {
	for (const button of document.querySelectorAll<HTMLButtonElement>("[data-mode]")) {
		button.setAttribute("aria-checked", String(button.dataset.mode === mode));
		button.addEventListener("click", () => {
			if (button.dataset.mode === mode || phase === "resetting" || phase === "running") return;
			const next = new URLSearchParams(location.search);
			if (button.dataset.mode === "cookie") next.set("mode", "cookie");
			else next.delete("mode");
			location.search = next.toString();
		});
	}
	byId("delay-note").textContent =
		pageDelay > 0
			? `Page loads in both frames take ${(pageDelay / 1000).toFixed(1)} s, as they might over a real network (?pageDelay=ms changes it). On localhost a reload takes about 30 ms, and the toasts the naive page shows before it goes would be gone before anyone could count them. The counts do not depend on it.`
			: "Page loads are not slowed down (?pageDelay=0): the naive page's toasts may be gone before you see them; the counts still hold.";
	byId("fine-print").textContent =
		`${mode === "cookie" ? "Cookie session (HttpOnly sid + CSRF token)" : "Bearer tokens"} · ` +
		(pageDelay > 0 ? `page loads take ${(pageDelay / 1000).toFixed(1)} s in both frames, so a page can be seen before it goes · ` : "") +
		`the naive frame stops after ${naiveCap} reloads in a row`;
}

function summary(side: Side): Summary {
	const report = side.report;
	return {
		toasts: report?.toasts ?? 0,
		reloads: Math.max(0, (report?.pageLoads ?? 1) - 1),
		refreshCalls: report?.refreshCalls ?? 0,
		unauthorized: report?.unauthorized ?? 0,
		view: report?.view ?? "loading",
		user: report?.user ?? null,
		capped: report?.capped ?? false,
		stepUps: report?.stepUps ?? 0,
		exported: (report?.exports["200"] ?? 0) > 0,
		session: report?.session.status ?? "unknown",
		navigating: report?.navigating ?? false,
	};
}

export type Summary = {
	toasts: number;
	reloads: number;
	refreshCalls: number;
	unauthorized: number;
	view: FrameReport["view"];
	user: string | null;
	capped: boolean;
	stepUps: number;
	exported: boolean;
	session: string;
	navigating: boolean;
};

/** One side of the verdict: counts first, then (once the run is over) how the frame ended up. */
function describe(kind: ClientKind, s: Summary, scenario: FrameScenario, over = true): string {
	const parts = [plural(s.toasts, "error toast"), plural(s.reloads, "reload")];
	if (scenario === "burst") parts.push(plural(s.refreshCalls, "refresh call"));
	if (!over) return `${names[kind]}: ${parts.join(", ")} so far`;
	if (s.capped) parts.push("stopped by the demo (it would reload forever)");
	else if (s.view === "signedOut") parts.push("then signed out");
	if (scenario === "switch" || scenario === "switch-redirect") {
		if (s.user !== null && s.view === "workspace") parts.push(s.user === "bob" ? "ends as Bob" : `still shows ${userNames[s.user] ?? s.user}'s page`);
	}
	if (scenario === "step-up") parts.push(s.exported ? `exported after ${plural(s.stepUps, "step-up")}` : "export lost");
	return `${names[kind]}: ${parts.join(", ")}`;
}

function verdict(scenario: FrameScenario, over = true): string {
	const [naive, tokenflight] = sidesState.map((side) => describe(side.kind, summary(side), scenario, over));
	return `${naive} · ${tokenflight}`;
}

function statusText(side: Side): string {
	const report = side.report;
	if (!report || !report.ready) return report?.navigating ? "Reloading…" : "Loading…";
	if (report.navigating) return "Reloading the page…";
	if (report.capped) return "Stopped by the demo: it would reload forever";
	if (report.busy) return "Working…";
	if (report.view === "signedOut") return "Signed out: the sign-in screen";
	if (report.view === "workspace" && report.user) return `Shows ${userNames[report.user] ?? report.user}'s workspace`;
	return "Loading…";
}

function renderSide(side: Side): void {
	const s = summary(side);
	const counters = document.querySelector<HTMLElement>(`[data-counters="${side.kind}"]`);
	if (counters) {
		const items: [string, number, string][] = [
			["Error toasts", s.toasts, s.toasts > 0 ? "bad" : run?.phase === "done" ? "good" : ""],
			["Reloads", s.reloads, s.capped ? "bad" : ""],
			["Refreshes", s.refreshCalls, ""],
			["401s", s.unauthorized, ""],
		];
		counters.replaceChildren(
			...items.map(([label, value, tone]) => {
				const item = el("div", `counter ${tone}`.trim());
				item.dataset.counter = label;
				item.append(el("dt", "", label), el("dd", "", String(value)));
				return item;
			}),
		);
	}
	const status = document.querySelector<HTMLElement>(`[data-status="${side.kind}"]`);
	if (status) {
		status.textContent = statusText(side);
		status.dataset.state = side.report?.capped ? "capped" : side.report?.navigating ? "navigating" : (side.report?.view ?? "loading");
	}
	// Once a reload has wiped the toasts, say how many there were: otherwise both frames end looking the same.
	const recap = document.querySelector<HTMLElement>(`[data-recap="${side.kind}"]`);
	if (recap) recap.textContent = run && run.phase !== "resetting" && s.toasts > 0 && s.reloads > 0 ? `${plural(s.toasts, "error toast")} on screen before the reload` : "";
	const log = document.querySelector<HTMLElement>(`[data-log="${side.kind}"]`);
	if (log) {
		const entries = side.report?.log ?? [];
		const origin = side.report?.run?.startedAt ?? 0;
		const shown = entries.filter((entry) => entry.kind !== "load" || entries.length < 40).slice(-9);
		log.replaceChildren(...(shown.length > 0 ? shown.map((entry) => logItem(entry, origin)) : [el("li", "placeholder", run ? "…" : "Its log, timed from the click, shows here.")]));
	}
}

function logItem(entry: LogEntry, origin: number): HTMLElement {
	const item = el("li", entry.kind);
	item.append(el("time", "", elapsed(entry.t, origin)), el("span", "", entry.text));
	return item;
}

function renderVerdict(): void {
	const label = byId("verdict-label");
	const text = byId("verdict-text");
	const box = byId("verdict");
	box.dataset.phase = phase;
	if (!run) return;
	const info = scenarios.find((candidate) => candidate.id === run?.scenario);
	const title = `${info?.title ?? run.scenario} (${run.mode === "cookie" ? "cookie session" : "bearer tokens"})`;
	if (run.phase === "resetting") {
		label.textContent = title;
		text.textContent = "Starting both frames from a fresh sandbox…";
		return;
	}
	label.textContent = run.phase === "done" ? `${title}${run.timedOut ? " · stopped waiting" : ""}` : `${title} · running…`;
	const scenario = run.scenario;
	const over = run.phase === "done";
	const [naive, tokenflight] = sidesState.map((side) => {
		const part = el("span", `verdict-${side.kind}`, describe(side.kind, summary(side), scenario, over));
		return part;
	});
	if (naive && tokenflight) text.replaceChildren(naive, el("span", "verdict-separator", " · "), tokenflight);
}

function renderAll(): void {
	for (const side of sidesState) renderSide(side);
	renderVerdict();
	for (const button of document.querySelectorAll<HTMLButtonElement>("button.scenario")) {
		button.disabled = phase === "resetting" || phase === "running" || phase === "loading";
		button.classList.toggle("current", run?.scenario === button.dataset.scenario);
		const label = button.querySelector(".run-label");
		if (label) label.textContent = run?.scenario === button.dataset.scenario && (phase === "resetting" || phase === "running") ? "Running…" : "Run ▸";
	}
}

type HistoryRow = { title: string; mode: AuthMode; naive: string; tokenflight: string };
const historyKey = "demo:side-by-side-history";

function readHistory(): HistoryRow[] {
	try {
		const value: unknown = JSON.parse(sessionStorage.getItem(historyKey) ?? "[]");
		return Array.isArray(value) ? (value as HistoryRow[]) : [];
	} catch {
		return [];
	}
}

function renderHistory(): void {
	const rows = readHistory();
	const body = byId("history");
	if (rows.length === 0) return;
	body.replaceChildren(
		...rows
			.slice()
			.reverse()
			.map((row) => {
				const tr = el("tr");
				const scenario = el("td", "", row.title);
				scenario.append(el("span", "muted", ` · ${row.mode === "cookie" ? "cookie" : "bearer"}`));
				tr.append(scenario, el("td", "", row.naive.replace(/^naive: /, "")), el("td", "", row.tokenflight.replace(/^tokenflight: /, "")));
				return tr;
			}),
	);
}

function recordHistory(state: RunState): void {
	const info = scenarios.find((candidate) => candidate.id === state.scenario);
	const [naive, tokenflight] = sidesState.map((side) => describe(side.kind, summary(side), state.scenario));
	const rows = [...readHistory(), { title: info?.title ?? state.scenario, mode: state.mode, naive: naive ?? "", tokenflight: tokenflight ?? "" }].slice(-20);
	sessionStorage.setItem(historyKey, JSON.stringify(rows));
	renderHistory();
}

// ── The frames ───────────────────────────────────────────────────────────────────────────────────────────────────────

let sidesState: Side[] = [];

function fingerprint(report: FrameReport): string {
	const { document: doc, pageLoads, toasts, refreshCalls, view, user, busy, navigating, capped, ready, stepUps } = report;
	return JSON.stringify([doc, pageLoads, toasts, refreshCalls, view, user, busy, navigating, capped, ready, stepUps, report.log.length]);
}

function onMessage(event: MessageEvent): void {
	const data = event.data as Partial<FrameReport> | null;
	if (!data || data.source !== "tokenflight-demo-frame") return;
	const side = sidesState.find((candidate) => candidate.iframe.contentWindow === event.source && candidate.origin === event.origin);
	if (!side || data.frame !== side.kind) return;
	const report = data as FrameReport;
	if (side.staleDocuments.has(report.document)) return;
	side.report = report;
	const next = fingerprint(report);
	if (next !== side.fingerprint) {
		side.fingerprint = next;
		side.lastChange = Date.now();
	}
	renderAll();
}

/** Both frames start from a fresh sandbox (`reset=1`), with the scenario's query. Resolves once both have booted. */
async function resetFrames(info: ScenarioInfo | undefined): Promise<void> {
	for (const side of sidesState) {
		if (side.report) side.staleDocuments.add(side.report.document);
		side.report = undefined;
		side.fingerprint = "";
		side.iframe.src = frameUrl(side.origin + "/", side.kind, info);
	}
	renderAll();
	await waitFor(() => sidesState.every((side) => side.report?.ready === true && side.report.pageLoads === 1 && side.report.run === null), 30_000);
}

function waitFor(check: () => boolean, timeout: number): Promise<boolean> {
	return new Promise((resolve) => {
		const deadline = Date.now() + timeout;
		const tick = () => {
			if (check()) resolve(true);
			else if (Date.now() > deadline) resolve(false);
			else setTimeout(tick, 100);
		};
		tick();
	});
}

function settled(state: RunState): boolean {
	const now = Date.now();
	return sidesState.every((side) => {
		const report = side.report;
		return report !== undefined && report.run?.scenario === state.scenario && report.ready && !report.busy && !report.navigating && now - side.lastChange >= settleMs;
	});
}

async function runScenario(id: FrameScenario): Promise<void> {
	if (phase === "resetting" || phase === "running") return;
	const info = scenarios.find((candidate) => candidate.id === id);
	const state: RunState = { scenario: id, mode, phase: "resetting", startedAt: Date.now(), timedOut: false };
	run = state;
	phase = "resetting";
	renderAll();
	await resetFrames(info);
	state.phase = "running";
	phase = "running";
	state.startedAt = Date.now();
	const command: RunCommand = { source: "tokenflight-demo-page", type: "run", scenario: id };
	for (const side of sidesState) side.iframe.contentWindow?.postMessage(command, side.origin);
	renderAll();
	// The verdict has grown by a line or two: place the frames again.
	bringFramesIntoView();
	const finished = await waitFor(() => Date.now() - state.startedAt > 1_000 && settled(state), runTimeoutMs);
	state.timedOut = !finished;
	state.phase = "done";
	phase = "done";
	recordHistory(state);
	renderAll();
}

/**
 * On a narrow screen the frames are below the list: the naive frame (where the toasts show) goes under the verdict,
 * which stays at the top (sticky). On a wide one, the naive frame's lower edge comes into view as far as the verdict
 * stays in view above it.
 */
function bringFramesIntoView(): void {
	const verdictBox = byId("verdict");
	const frame = document.querySelector<HTMLElement>('iframe[data-frame="naive"]');
	if (!frame) return;
	if (getComputedStyle(verdictBox).position === "sticky") {
		document.documentElement.style.setProperty("--verdict-height", `${Math.ceil(verdictBox.getBoundingClientRect().height) + 8}px`);
		frame.scrollIntoView({ block: "start" });
		return;
	}
	const below = frame.getBoundingClientRect().bottom - innerHeight;
	const verdictTop = verdictBox.getBoundingClientRect().top;
	if (below > 0 || verdictTop < 0) scrollBy({ top: verdictTop < 0 ? verdictTop : Math.min(below, verdictTop) });
}

async function start(): Promise<void> {
	renderScenarios();
	renderModeSwitch();
	renderHistory();
	const origins = (await (await fetch("/demo-frames.json", { cache: "no-store" })).json()) as Record<ClientKind, string>;
	sidesState = sides.map((kind) => {
		const iframe = document.querySelector<HTMLIFrameElement>(`iframe[data-frame="${kind}"]`);
		if (!iframe) throw new Error(`the ${kind} frame is missing`);
		return { kind, iframe, origin: new URL(origins[kind]).origin, report: undefined, staleDocuments: new Set<string>(), lastChange: 0, fingerprint: "" };
	});
	addEventListener("message", onMessage);
	document.addEventListener("click", (event) => {
		const button = (event.target as HTMLElement | null)?.closest<HTMLButtonElement>("button.scenario");
		if (!button?.dataset.scenario) return;
		bringFramesIntoView();
		void runScenario(button.dataset.scenario as FrameScenario);
	});
	setInterval(renderAll, 500);
	await resetFrames(undefined);
	phase = "idle";
	renderAll();
}

/** For the tests and the console: what the page shows, in numbers. */
function state() {
	return {
		mode,
		phase,
		scenario: run?.scenario ?? null,
		done: run?.phase === "done",
		timedOut: run?.timedOut ?? false,
		verdict: run && run.phase !== "resetting" ? verdict(run.scenario, run.phase === "done") : null,
		frames: Object.fromEntries(sidesState.map((side) => [side.kind, summary(side)])) as Record<ClientKind, Summary>,
	};
}

const ready = start();
Object.assign(window, {
	demo: {
		ready,
		state,
		/** Runs a scenario in both frames, as its button does; resolves with the page's numbers once both have settled. */
		async run(id: FrameScenario) {
			await ready;
			await runScenario(id);
			return state();
		},
	},
});
ready.catch((error: unknown) => {
	byId("verdict-text").textContent = `The page failed to start: ${error instanceof Error ? error.message : String(error)}`;
	console.error(error);
});
