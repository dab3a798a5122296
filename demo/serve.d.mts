export type IdpStats = {
	/** Top-level navigations to the IdP's `/authorize` (a reload through the auth proxy). */
	authorizeNavigations: number;
	/** Anything else that reached it: fetches redirected there by the proxy, which fail on CORS. */
	authorizeFetches: number;
	/** The `Origin` headers those requests carried. */
	origins: string[];
};

export type DemoServer = {
	url: string;
	/** The auth proxy's IdP, on another port of the same host: another origin. */
	idpUrl: string;
	idpStats(): IdpStats;
	/** How many requests for `path` (a pathname) reached this server: what the Service Worker did not answer. */
	hits(path: string): number;
	close(): Promise<void>;
};

/** Bundles demo/src into demo/dist (from the rollup output by default) and copies msw's worker script. */
export function buildDemo(options?: { source?: "dist" | "src" }): Promise<void>;

/**
 * Builds the demo and serves demo/ on `host` (127.0.0.1), with its auth proxy's IdP on a second port; `port: 0` picks
 * a free port, a taken one falls back to a free one.
 */
export function startDemoServer(options?: { port?: number; host?: string; source?: "dist" | "src" }): Promise<DemoServer>;
