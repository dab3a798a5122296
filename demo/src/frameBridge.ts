import type { LogEntry } from "./eventLog.js";
import type { AuthMode, ClientKind } from "./settings.js";

/**
 * What passes between the side-by-side page (`/`, demo/src/sideBySide.ts) and its two frames (`?frame=…`). The page
 * says which scenario to run; each frame reports what its user would have seen, after every change and before it
 * reloads. Plain `postMessage`: the frames are other origins (ports) of the same host.
 */
export const frameScenarios = ["switch", "switch-redirect", "embedded", "step-up", "burst"] as const;
export type FrameScenario = (typeof frameScenarios)[number];

export function isFrameScenario(value: unknown): value is FrameScenario {
	return typeof value === "string" && (frameScenarios as readonly string[]).includes(value);
}

/** The scenario this frame runs, kept in sessionStorage so the reloads it causes still know about it. */
export type RunRecord = { scenario: FrameScenario; startedAt: number };

export type FrameReport = {
	source: "tokenflight-demo-frame";
	frame: ClientKind;
	mode: AuthMode;
	/** New for each document: a report from a new one means the frame has loaded again. */
	document: string;
	/** Documents this frame loaded since its sandbox was reset (the first one included). */
	pageLoads: number;
	/** Error toasts shown since the reset, across reloads. */
	toasts: number;
	toastsOnScreen: number;
	/** Calls to the token endpoint (refreshes) since the reset. */
	refreshCalls: number;
	/** 401s the server answered since the reset. */
	unauthorized: number;
	view: "loading" | "workspace" | "signedOut";
	user: string | null;
	session: { status: string; reason?: string };
	/** This document has booted. */
	ready: boolean;
	/** A scenario is still running in this document. */
	busy: boolean;
	/** This document is about to go (a reload is under way). */
	navigating: boolean;
	/** The naive client's reload loop was stopped by the side-by-side page's cap. */
	capped: boolean;
	/** How often the user confirmed a step-up, and what the export answered, by status. */
	stepUps: number;
	exports: Record<string, number>;
	run: RunRecord | null;
	/** The log since the run began, newest last. */
	log: LogEntry[];
};

export type RunCommand = { source: "tokenflight-demo-page"; type: "run"; scenario: FrameScenario };

export function isRunCommand(value: unknown): value is RunCommand {
	const data = value as Partial<RunCommand> | null;
	return typeof data === "object" && data !== null && data.source === "tokenflight-demo-page" && data.type === "run" && isFrameScenario(data.scenario);
}

const runKey = "demo:run";

export function readRun(): RunRecord | null {
	try {
		const value = JSON.parse(sessionStorage.getItem(runKey) ?? "null") as Partial<RunRecord> | null;
		return value && isFrameScenario(value.scenario) && typeof value.startedAt === "number" ? { scenario: value.scenario, startedAt: value.startedAt } : null;
	} catch {
		return null;
	}
}

export function saveRun(run: RunRecord): void {
	sessionStorage.setItem(runKey, JSON.stringify(run));
}

const cappedKey = "demo:capped";

export function isCapped(): boolean {
	return sessionStorage.getItem(cappedKey) === "1";
}

export function markCapped(): void {
	sessionStorage.setItem(cappedKey, "1");
}
