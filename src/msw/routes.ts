/** The names used by `failNext`, `setLatency`, `latency` and `counters.requests`. */
export type RouteName = "token" | "login" | "documents.list" | "documents.create" | "auth.info";
