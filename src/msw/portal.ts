import { isNewer } from "./lamportClock.js";
import type { LamportClock, Stamped } from "./lamportClock.js";
import { isCount, isRecord } from "./snapshotGuards.js";

export type PortalSnapshot = Stamped<string | null>;

/**
 * The SSO portal in front of the app (an IdP with "log out of all apps"): who is signed in there decides
 * whom `auth.sso` issues tokens for, whatever session the app itself still holds. The last sign-in wins.
 */
export function createPortal(clock: LamportClock, writer: string) {
	let user: PortalSnapshot = { value: null, at: 0, by: "" };
	return {
		get userId() {
			return user.value;
		},
		signIn(userId: string | null): void {
			user = { value: userId, at: clock.tick(), by: writer };
		},
		clear(): void {
			user = { value: null, at: 0, by: "" };
		},
		snapshot: (): PortalSnapshot => ({ ...user }),
		merge(snapshot: PortalSnapshot): void {
			clock.observe(snapshot.at);
			if (isNewer(snapshot, user)) user = { ...snapshot };
		},
	};
}

export type Portal = ReturnType<typeof createPortal>;

export function parsePortalSnapshot(value: unknown): PortalSnapshot | undefined {
	if (!isRecord(value) || !(value.value === null || typeof value.value === "string") || !isCount(value.at) || typeof value.by !== "string") return undefined;
	return { value: value.value, at: value.at, by: value.by };
}
