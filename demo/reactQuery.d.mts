import type { ServerResponse } from "node:http";
/** `/react-query` on the demo server: a redirect to examples/react-query's side-by-side page, its server started on first use. */
export function reactQueryRoute(): { serve(path: string, response: ServerResponse): Promise<boolean>; close(): Promise<void> };
