import type { EventLog } from "./eventLog.js";

/** Red toasts, as an app shows a rejected request; each one is also recorded in the event log. */
export function createToasts(container: HTMLElement, log: EventLog, visibleMs = 4_000) {
	return {
		error(message: string): void {
			log.toastShown(message);
			const toast = document.createElement("div");
			toast.className = "toast";
			toast.setAttribute("role", "alert");
			toast.textContent = message;
			container.append(toast);
			setTimeout(() => toast.classList.add("leaving"), visibleMs);
			setTimeout(() => toast.remove(), visibleMs + 400);
		},
	};
}

export type Toasts = ReturnType<typeof createToasts>;
