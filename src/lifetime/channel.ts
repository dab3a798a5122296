import type { BroadcastChannelLike } from "../tabs/tabSync.js";

/** What tabs tell each other about the session's lifetime (over the channel the tabs share). */
export type LifetimeMessage =
	/** Activity at `at` (epoch ms); `stay`: `staySignedIn()`, which also dismisses a warning. */
	| { type: "lifetime-activity"; at: number; stay: boolean }
	| { type: "lifetime-absolute"; deadline: number | null }
	| { type: "lifetime-expired"; reason: "idle" | "expired" };

export type LifetimeChannel = {
	post(message: LifetimeMessage): void;
	subscribe(listener: (message: LifetimeMessage) => void): () => void;
};

/** The lifetime's messages on a channel the tabs already share; anything else on it is left alone. */
export function lifetimeChannel(channel: BroadcastChannelLike): LifetimeChannel {
	return {
		post(message) {
			try {
				channel.postMessage(message);
			} catch {
				// A closed channel (the page is unloading) has nobody left to tell.
			}
		},
		subscribe(listener) {
			const onMessage = (event: { data: unknown }) => {
				if (isLifetimeMessage(event.data)) listener(event.data);
			};
			channel.addEventListener("message", onMessage);
			return () => channel.removeEventListener("message", onMessage);
		},
	};
}

function isLifetimeMessage(value: unknown): value is LifetimeMessage {
	if (typeof value !== "object" || value === null) return false;
	const message = value as Record<string, unknown>;
	switch (message.type) {
		case "lifetime-activity":
			return typeof message.at === "number" && Number.isFinite(message.at) && typeof message.stay === "boolean";
		case "lifetime-absolute":
			return message.deadline === null || (typeof message.deadline === "number" && Number.isFinite(message.deadline));
		case "lifetime-expired":
			return message.reason === "idle" || message.reason === "expired";
		default:
			return false;
	}
}
