export type DemoServer = { url: string; close(): Promise<void> };

/** Bundles demo/src into demo/dist (from the rollup output by default) and copies msw's worker script. */
export function buildDemo(options?: { source?: "dist" | "src" }): Promise<void>;

/** Builds the demo and serves demo/ on `host` (127.0.0.1); `port: 0` picks a free port, a taken one falls back to a free one. */
export function startDemoServer(options?: { port?: number; host?: string; source?: "dist" | "src" }): Promise<DemoServer>;
