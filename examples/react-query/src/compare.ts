import type { Entry } from "./recording.js";

/**
 * The side-by-side page (/compare): the example app naive and bound, in two frames of this origin. A scenario resets
 * the session to Alice, reloads both frames, makes the same thing happen outside both (the portal, the server), has
 * both refetch as a user coming back to the tab would, and sums up what each frame's user saw.
 */
type Mode = "naive" | "bound";
type ExampleWindow = { example?: { log: Entry[]; refetch(): Promise<void>; cachedQueries(): { owner?: string }[] } };
type Scenario = { id: string; title: string; outside: { path: string; body?: unknown }; settleMs: number };

const scenarios: Scenario[] = [
	{ id: "switch", title: "Identity switch: Bob signs in at the portal", outside: { path: "/test/switch", body: { to: "bob" } }, settleMs: 2_000 },
	{ id: "dead", title: "Dead session (signOut policy)", outside: { path: "/test/kill" }, settleMs: 1_500 },
	{ id: "500", title: "A 500 on the document", outside: { path: "/test/fail", body: { path: "documents.info", message: "The document store is down", times: 6 } }, settleMs: 2_000 },
];
const modes: Mode[] = ["naive", "bound"];
const frame = (mode: Mode) => document.getElementById(`frame-${mode}`) as HTMLIFrameElement;
const example = (mode: Mode) => (frame(mode).contentWindow as unknown as ExampleWindow | null)?.example;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const post = (path: string, body: unknown = {}) => fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function load(mode: Mode): Promise<void> {
	const target = frame(mode);
	await new Promise((resolve) => {
		target.addEventListener("load", resolve, { once: true });
		target.src = `/?mode=${mode}`;
	});
	for (let i = 0; i < 100 && !target.contentDocument?.querySelector("#document h1"); i++) await sleep(50);
}

/** What the frame's user saw since `from`: frames with Alice's data after Bob's first, error states, the cache left. */
function summary(mode: Mode, from: number): string {
	const app = example(mode);
	if (!app) return "the app did not load";
	const log = app.log.slice(from);
	const frames = log.filter((entry) => entry.type === "frame");
	const firstBob = log.findIndex((entry) => entry.type === "data" && entry.owner === "bob");
	const mixed = firstBob === -1 ? 0 : log.slice(firstBob).filter((entry) => entry.type === "frame" && entry.owners.includes("alice")).length;
	const errors = frames.filter((entry) => entry.type === "frame" && entry.errors.length > 0).length;
	const view = frames.at(-1)?.type === "frame" ? (frames.at(-1) as { view: string }).view : "";
	const cached = app.cachedQueries();
	const aliceCached = cached.filter((query) => query.owner === "alice").length;
	const parts = [`${errors} frame(s) with an error state`, `${aliceCached} of ${cached.length} cached queries hold Alice's data`, `now: ${view || "workspace"}`];
	if (firstBob !== -1) parts.unshift(`${mixed} frame(s) with Alice's data after Bob's first response`);
	return parts.join(" · ");
}

async function run(scenario: Scenario): Promise<void> {
	for (const button of document.querySelectorAll("button")) button.disabled = true;
	await post("/test/reset");
	// The frames share this page's sessionStorage, where tokenflight's loop guard counts re-authentications: each run
	// starts with none, as a fresh tab would.
	sessionStorage.clear();
	await Promise.all(modes.map(load));
	const from = Object.fromEntries(modes.map((mode) => [mode, example(mode)?.log.length ?? 0]));
	await post(scenario.outside.path, scenario.outside.body);
	await Promise.all(modes.map((mode) => example(mode)?.refetch()));
	await sleep(scenario.settleMs);
	for (const mode of modes) document.getElementById(`verdict-${mode}`)!.textContent = summary(mode, from[mode] ?? 0);
	for (const button of document.querySelectorAll("button")) button.disabled = false;
}

const list = document.getElementById("scenarios")!;
for (const scenario of scenarios) {
	const button = document.createElement("button");
	button.type = "button";
	button.textContent = scenario.title;
	button.addEventListener("click", () => void run(scenario));
	list.append(button);
}
void Promise.all(modes.map(load));
Object.assign(window, { compare: { run: (id: string) => run(scenarios.find((scenario) => scenario.id === id)!) } });
