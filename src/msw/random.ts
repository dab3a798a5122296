/**
 * An unguessable, opaque identifier such as `at_3f9c…`. Web Crypto rather than `node:crypto`, so the mock
 * also runs inside a browser under `setupWorker`.
 */
export function randomId(prefix: string, bytes = 24): string {
	const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, "0"));
	return `${prefix}_${hex.join("")}`;
}
