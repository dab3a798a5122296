// The React Query scenario of the demo: `/react-query` on the demo server opens the side-by-side page of
// examples/react-query (the app naive and bound, one scenario for both). That example has a server of its own (a real
// API, cookie sessions); it starts on a free port the first time someone asks for it, so the demo's start and its
// browser tests pay nothing for it.
import { startExampleServer } from "../examples/react-query/server.mjs";

export function reactQueryRoute() {
	/** @type {Promise<import("../examples/react-query/server.d.mts").ExampleServer> | undefined} */
	let started;
	return {
		/** Answers `/react-query` with a redirect to the example's side-by-side page; false for any other path. */
		async serve(path, response) {
			if (path !== "/react-query") return false;
			started ??= startExampleServer({ port: 0 });
			const { url } = await started;
			response.writeHead(302, { location: `${url}compare`, "cache-control": "no-store" }).end();
			return true;
		},
		close: async () => (await started)?.close(),
	};
}
