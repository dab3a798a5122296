/** The reason every wait of a disposed client rejects with. */
export function disposedError(): DOMException {
	return new DOMException("The tokenflight client was disposed", "AbortError");
}
