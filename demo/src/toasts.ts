import type { EventLog } from "./eventLog.js";

/** Red toasts, as an app shows a rejected request; each one is also recorded in the event log. */
export function createToasts(container: HTMLElement, log: EventLog) {
	return {
		error(message: string): void {
			log.toastShown(message);
			const toast = document.createElement("div");
			toast.className = "toast";
			toast.setAttribute("role", "alert");
			toast.textContent = message;
			container.append(toast);
			setTimeout(() => toast.classList.add("leaving"), 4_000);
			setTimeout(() => toast.remove(), 4_400);
		},
	};
}

export type Toasts = ReturnType<typeof createToasts>;
