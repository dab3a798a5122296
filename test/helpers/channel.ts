import type { BroadcastChannelLike } from "../../src/tabs/tabSync.js";

/**
 * BroadcastChannel stand-ins for several tabs of one origin: a message reaches every other member in a macrotask of its
 * own (as a browser delivers it), never the sender. `open()` is one tab's channel; `close()` takes it off the hub.
 */
export function channelHub() {
	const members = new Set<{ deliver: (data: unknown) => void }>();
	let sent = 0;
	function open(): BroadcastChannelLike & { sent: unknown[] } {
		const listeners = new Set<(event: { data: unknown }) => void>();
		const member = { deliver: (data: unknown) => listeners.forEach((listener) => listener({ data: structuredClone(data) })) };
		members.add(member);
		const sentHere: unknown[] = [];
		return {
			sent: sentHere,
			postMessage(data) {
				sent++;
				sentHere.push(data);
				for (const other of members) if (other !== member) setTimeout(() => other.deliver(data), 0);
			},
			addEventListener: (_type, listener) => void listeners.add(listener),
			removeEventListener: (_type, listener) => void listeners.delete(listener),
			close: () => void members.delete(member),
		};
	}
	return {
		open,
		get sent() {
			return sent;
		},
	};
}
