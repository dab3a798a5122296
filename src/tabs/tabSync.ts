import type { LockRunner } from "../refresh/refresher.js";

export type TabMessage =
	| { type: "tokens" }
	| { type: "logout" }
	| { type: "identity"; identity: string }
	| { type: "signed-in"; identity?: string };

export type TabsOptions = {
	/** Name of the lock and the channel; give each credential its own. @default "tokenflight" */
	name?: string;
};

export type TabSync = {
	lock?: LockRunner | undefined;
	publish(message: TabMessage): void;
	dispose(): void;
};

export function createTabSync(_options: TabsOptions | false | undefined, _onMessage: (message: TabMessage) => void): TabSync | undefined {
	return undefined;
}
