/** The names used by `failNext`, `setLatency`, `latency` and `counters.requests`. */
export type RouteName = (typeof routeNames)[number];

export const routeNames = ["token", "login", "sso", "portal", "documents.list", "documents.create", "auth.info"] as const;
