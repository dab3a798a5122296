/**
 * A short, non-reversible tag for a credential (FNV-1a, 32 bits), so tabs can tell "the same dead token"
 * apart without ever writing the token itself to storage.
 */
export function fingerprint(value: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < value.length; i++) {
		hash ^= value.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return (hash >>> 0).toString(36);
}
