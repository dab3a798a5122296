// Shared helpers for the benchmarks: the child-process server, statistics and markdown tables.
import { fork } from "node:child_process";
import os from "node:os";

/**
 * Forks a bench server (bench/server.mjs, or bench/browserServer.mjs for the browser part) and talks to it over IPC.
 * The child exits when we disconnect or exit.
 */
export async function startServer(script = "./server.mjs", startTimeoutMs = 10_000) {
	const child = fork(new URL(script, import.meta.url), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
	let nextId = 0;
	const pending = new Map();
	const port = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${script} did not start within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
		child.once("error", reject);
		child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
		child.once("message", (message) => {
			clearTimeout(timer);
			resolve(message.port);
		});
	});
	child.on("message", (message) => {
		const waiter = pending.get(message.id);
		if (waiter) {
			pending.delete(message.id);
			waiter(message);
		}
	});
	const call = (message) =>
		new Promise((resolve) => {
			const id = ++nextId;
			pending.set(id, resolve);
			child.send({ ...message, id });
		});
	const kill = () => child.kill();
	process.once("exit", kill);
	return {
		port,
		origin: `http://127.0.0.1:${port}`,
		/** Resets server state; returns a fresh token pair (its access token already dead when `expired`). */
		reset: async (options = {}) => (await call({ type: "reset", ...options })).tokens,
		stats: async () => (await call({ type: "stats" })).stats,
		async stop() {
			process.off("exit", kill);
			if (!child.connected) return;
			const exited = new Promise((resolve) => child.once("exit", resolve));
			child.send({ type: "stop" });
			child.disconnect();
			await Promise.race([exited, sleep(2_000)]);
			if (child.exitCode === null) child.kill();
		},
	};
}

/** An in-memory `Storage` for tokenflight's reload guard: in Node there is no sessionStorage. */
export function memoryStorage() {
	const map = new Map();
	return {
		getItem: (key) => (map.has(key) ? map.get(key) : null),
		setItem: (key, value) => void map.set(key, String(value)),
		removeItem: (key) => void map.delete(key),
	};
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values) {
	const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rotates the contenders each round so none is always first (warm caches) or last (GC debt). */
export function rotate(list, round) {
	const k = round % list.length;
	return [...list.slice(k), ...list.slice(0, k)];
}

export async function fullGc() {
	if (typeof globalThis.gc !== "function") throw new Error("run node with --expose-gc");
	for (let i = 0; i < 4; i++) {
		globalThis.gc();
		await new Promise((resolve) => setImmediate(resolve));
	}
}

export const fmt = {
	int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–"),
	ms: (n) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms` : "–"),
	ratio: (n) => (Number.isFinite(n) ? `${n.toFixed(3)}×` : "–"),
	bytes: (n) => {
		if (!Number.isFinite(n)) return "–";
		const abs = Math.abs(n);
		return abs >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : abs >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`;
	},
};

export function table(headers, rows) {
	const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell)));
	const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length), 3));
	const line = (row) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ")} |`;
	const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
	return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

export function machineLine() {
	const cpus = os.cpus();
	const model = cpus[0]?.model?.trim() || "unknown CPU";
	return `Machine: ${model}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version} (${os.platform()} ${os.arch()}), load avg ${os
		.loadavg()
		.map((n) => n.toFixed(2))
		.join(" ")} at start`;
}

/** Resolves to the promise's value, or to `onTimeout()` after `ms`. */
export function withDeadline(promise, ms, onTimeout) {
	let timer;
	return Promise.race([promise, new Promise((resolve) => (timer = setTimeout(() => resolve(onTimeout()), ms)))]).finally(() => clearTimeout(timer));
}
