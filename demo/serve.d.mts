export type IdpStats = {
	/** Top-level navigations to the IdP's `/authorize` (a reload through the auth proxy). */
	authorizeNavigations: number;
	/** Anything else that reached it: fetches redirected there by the proxy, which fail on CORS. */
	authorizeFetches: number;
	/** The `Origin` headers those requests carried. */
	origins: string[];
};

export type DemoServer = {
	/** `/`: the app, or the side-by-side page when started with `home: "side-by-side"` (as `npm run demo` does). */
	url: string;
	/** The side-by-side page: the naive client and tokenflight in two frames, one scenario for both. */
	sideBySideUrl: string;
	/** The app alone (one client at a time, every scenario), whatever `/` serves. */
	appUrl: string;
	/** Where the side-by-side page's frames come from: the same server on two more ports, so two more origins. */
	frameUrls: { naive: string; tokenflight: string };
	port: number;
	/** Set when the port asked for was taken and the server moved to another: say so. */
	portNote: string | undefined;
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
 * Builds the demo and serves demo/ on `host` (127.0.0.1), with its auth proxy's IdP on another port and the
 * side-by-side page's frames on two more; `port: 0` picks free ports, a taken one moves to the next free one.
 * `home` is what `/` serves: the app (the default, which the browser tests drive) or the side-by-side page.
 */
export function startDemoServer(options?: { port?: number; host?: string; source?: "dist" | "src"; home?: "app" | "side-by-side" }): Promise<DemoServer>;
