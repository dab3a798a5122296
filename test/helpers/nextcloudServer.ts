// A node:http server that checks requests the way Nextcloud's app framework does (lib/private/AppFramework/Middleware/
// Security/CORSMiddleware.php and SecurityMiddleware.php, and Request::passesCSRFCheck), for a logged-in browser session:
// - CORSMiddleware, on a #[CORS] route: a request that passes the CSRF check goes on; any other logs the session out
//   and, without basic auth, answers 401 {"message":"CORS requires basic auth"}.
// - SecurityMiddleware: not logged in → 401 {"message":"Current user is not logged in"}; a route without
//   #[NoCSRFRequired] whose request fails the CSRF check → 412 {"message":"CSRF check failed"}, whatever the method
//   (an OCS route lets `OCS-APIREQUEST: true` or a Bearer token through).
// - passesCSRFCheck: true without a session cookie or with `OCS-APIREQUEST`; otherwise the `requesttoken` header must
//   be the session's token.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type Route = { cors?: boolean; noCsrf?: boolean; ocs?: boolean; answer: (req: IncomingMessage) => { status: number; body: unknown; headers?: Record<string, string> } };

export function nextcloudServer() {
	const sessions = new Map<string, { user: string; requestToken: string }>();
	const state = { origin: "", seen: [] as { method: string; path: string; headers: IncomingMessage["headers"] }[], logouts: 0 };
	const routes: Record<string, Route> = {
		// Notes' API controller carries #[CORS] (and #[NoCSRFRequired]): seed 000's cascade.
		"/index.php/apps/notes/api/v1/notes": { cors: true, noCsrf: true, answer: () => ({ status: 200, body: [{ id: 1, title: "Groceries" }] }) },
		// An ordinary app controller: every method is CSRF-checked.
		"/index.php/apps/files/api/v1/recent": { answer: () => ({ status: 200, body: { files: ["a.txt"] } }) },
		"/ocs/v2.php/cloud/capabilities": { ocs: true, answer: () => ({ status: 200, body: { ocs: { data: { version: "31" } } } }) },
	};

	const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, body, headers });
	function sessionOf(req: IncomingMessage) {
		const id = /(?:^|;\s*)nc_session=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
		return id === undefined ? undefined : { id, session: sessions.get(id) };
	}
	function passesCsrfCheck(req: IncomingMessage): boolean {
		if (req.headers["ocs-apirequest"]) return true;
		const cookie = sessionOf(req);
		if (!cookie) return true;
		return cookie.session !== undefined && req.headers.requesttoken === cookie.session.requestToken;
	}
	function handle(req: IncomingMessage) {
		const path = (req.url ?? "").split("?")[0]!;
		const route = routes[path];
		if (!route) return json(404, { message: "Not found" });
		// CORSMiddleware runs before SecurityMiddleware.
		if (route.cors) {
			if (!passesCsrfCheck(req)) {
				const cookie = sessionOf(req);
				if (cookie?.session) {
					sessions.delete(cookie.id);
					state.logouts++;
				}
				return json(401, { message: "CORS requires basic auth" });
			}
		}
		if (!sessionOf(req)?.session) return json(401, { message: "Current user is not logged in" });
		const bearer = (req.headers.authorization ?? "").startsWith("Bearer ");
		if (!route.noCsrf && !passesCsrfCheck(req) && !(route.ocs && (req.headers["ocs-apirequest"] === "true" || bearer))) {
			return json(412, { message: "CSRF check failed" });
		}
		return route.answer(req);
	}

	const server: Server = createServer((req, res) => {
		state.seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
		req.resume();
		req.on("end", () => {
			const answer = handle(req);
			res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
			res.end(JSON.stringify(answer.body));
		});
	});

	return {
		state,
		/** Logs `user` in: the session cookie the browser keeps, and the request token the page embeds (`OC.requestToken`). */
		login(user: string) {
			const id = randomUUID();
			const requestToken = randomUUID();
			sessions.set(id, { user, requestToken });
			return { cookie: `nc_session=${id}`, requestToken, isLoggedIn: () => sessions.has(id) };
		},
		async listen() {
			sessions.clear();
			state.seen.length = 0;
			state.logouts = 0;
			await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
			state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
