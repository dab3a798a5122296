export type SpaServer = {
	url: string;
	/** Page loads (GET /), refresh grants, and refresh grants refused with invalid_grant. */
	stats: { pageLoads: number; refreshes: number; rejectedRefreshes: number };
	close(): Promise<void>;
};
export function startSpaServer(options?: { port?: number; host?: string }): Promise<SpaServer>;
