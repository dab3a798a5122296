import type { SessionSnapshot } from "../../src/index.js";
import type { MockDocument, MockUser } from "../../src/msw/index.js";
import type { LogEntry } from "./eventLog.js";

export type View = ReturnType<typeof createView>;

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
	const element = document.getElementById(id);
	if (!element) throw new Error(`#${id} is missing from index.html`);
	return element as T;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = ""): HTMLElementTagNameMap[K] {
	const node = document.createElement(tag);
	node.className = className;
	node.textContent = text;
	return node;
}

const statusLabels: Record<SessionSnapshot["status"], string> = {
	unknown: "unknown",
	authenticated: "authenticated",
	refreshing: "refreshing",
	reauthenticating: "reauthenticating",
	signedOut: "signed out",
};

const dateFormat = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** A log stamp: the time since `origin`, as `+1.2 s` (a clock time would read like one). */
export function elapsed(t: number, origin: number): string {
	const seconds = Math.max(0, t - origin) / 1000;
	return seconds < 600 ? `+${seconds.toFixed(1)} s` : `+${Math.floor(seconds / 60)} min`;
}

/** Plain DOM over the static shell in index.html; no framework, so the page shows exactly what the clients do. */
export function createView() {
	const app = byId("app");
	const docList = byId("doc-list");
	const log = byId("log");

	function showOnly(view: "loading" | "workspace" | "signedOut"): void {
		app.dataset.view = view;
		byId("workspace").hidden = view !== "workspace";
		byId("signed-out").hidden = view !== "signedOut";
		byId("logout").hidden = view !== "workspace";
		byId("user-badge").hidden = view !== "workspace";
		byId<HTMLButtonElement>("new-document").disabled = view !== "workspace";
		for (const button of document.querySelectorAll<HTMLButtonElement>("[data-needs-session]")) button.disabled = view !== "workspace" || button.dataset.bearerOnly === "cookie";
	}

	return {
		toasts: byId("toasts"),
		showOnly,
		user(user: MockUser): void {
			const avatar = byId("user-avatar");
			avatar.textContent = user.name.charAt(0);
			avatar.dataset.user = user.id;
			byId("user-name").textContent = user.name;
			byId("greeting").textContent = `Welcome back, ${user.name.split(" ")[0] ?? user.name}`;
			byId("sidebar-footer").textContent = `Signed in as ${user.id}@acme.test`;
		},
		documents(documents: MockDocument[]): void {
			docList.replaceChildren(...documents.map((document) => element("li", "", document.title)));
			if (documents.length === 0) docList.replaceChildren(element("li", "placeholder", "No documents yet"));
			byId("doc-count").textContent = `· ${documents.length}`;
			const table = byId("all-documents");
			const head = element("div", "row head");
			head.append(element("span", "", "Title"), element("span", "", "Owner"), element("span", "", "Created"));
			const rows = [...documents].reverse().map((document) => {
				const row = element("div", "row");
				row.append(element("span", "title", document.title), element("span", "meta", document.ownerId), element("span", "meta", dateFormat.format(new Date(document.createdAt))));
				return row;
			});
			table.replaceChildren(head, ...(rows.length > 0 ? rows : [element("div", "empty", "Nothing here yet.")]));
		},
		recent(documents: MockDocument[]): void {
			byId("recent").replaceChildren(
				...documents.map((document) => {
					const card = element("div", "doc-card");
					card.append(element("span", "title", document.title), element("span", "meta", `Updated ${dateFormat.format(new Date(document.createdAt))}`));
					return card;
				}),
			);
		},
		emptySidebar(text: string): void {
			docList.replaceChildren(element("li", "placeholder", text));
			byId("sidebar-footer").textContent = "";
		},
		signedOut(message: string): void {
			byId("signed-out-reason").textContent = message;
			showOnly("signedOut");
		},
		session(snapshot: SessionSnapshot, bannerText: string | undefined): void {
			const pill = byId("session-pill");
			pill.dataset.status = snapshot.status;
			pill.textContent = statusLabels[snapshot.status];
			byId("reauth-banner").hidden = bannerText === undefined;
			if (bannerText !== undefined) byId("reauth-text").textContent = bannerText;
		},
		client(kind: "tokenflight" | "naive", mode: "bearer" | "cookie", reauth: "demo" | "default" = "demo"): void {
			const defaultReauth = kind === "tokenflight" && reauth === "default" ? " · default reauthenticate" : "";
			byId("client-chip").textContent = `${kind === "naive" ? "naive ky client" : "tokenflight"} · ${mode === "cookie" ? "cookie session" : "bearer tokens"}${defaultReauth}`;
			for (const button of document.querySelectorAll<HTMLButtonElement>("[data-client]")) {
				button.setAttribute("aria-checked", String(button.dataset.client === kind));
			}
			const link = byId<HTMLAnchorElement>("mode-link");
			const params = new URLSearchParams(location.search);
			if (mode === "cookie") params.delete("mode");
			else params.set("mode", "cookie");
			const query = params.toString();
			link.href = `${location.pathname}${query === "" ? "" : `?${query}`}`;
			link.textContent = mode === "cookie" ? "Use bearer tokens" : "Use cookie session";
			// A cookie session has no access token: what is about one does not apply, and the panel says so.
			for (const button of document.querySelectorAll<HTMLButtonElement>("[data-bearer-only]")) {
				button.dataset.bearerOnly = mode;
				if (mode === "cookie") button.disabled = true;
			}
			byId("cookie-note").hidden = mode !== "cookie";
		},
		log(entries: LogEntry[], summary: string, origin: number): void {
			log.replaceChildren(
				...entries.map((entry) => {
					const item = element("li", entry.kind);
					const time = element("time", "", elapsed(entry.t, origin));
					item.append(time, element("span", "", entry.text));
					return item;
				}),
			);
			log.scrollTop = log.scrollHeight;
			byId("log-summary").textContent = summary;
		},
		stats(html: string): void {
			byId("backend-stats").innerHTML = html;
		},
		/**
		 * The app's "confirm it's you" dialog for a step-up challenge. A security key would answer in a second or two;
		 * the demo's confirms by itself after `autoConfirmMs` (or at once on a click), so one button runs the scenario.
		 */
		stepUpPrompt(text: string, autoConfirmMs: number): Promise<void> {
			const dialog = byId("step-up");
			const confirm = byId<HTMLButtonElement>("step-up-confirm");
			byId("step-up-text").textContent = text;
			byId("step-up-bar").style.animationDuration = `${autoConfirmMs}ms`;
			dialog.hidden = false;
			return new Promise((resolve) => {
				const done = () => {
					clearTimeout(timer);
					confirm.removeEventListener("click", done);
					dialog.hidden = true;
					resolve();
				};
				const timer = setTimeout(done, autoConfirmMs);
				confirm.addEventListener("click", done);
			});
		},
	};
}
