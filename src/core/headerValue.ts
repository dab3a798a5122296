/**
 * Whether `value` can be sent as a header value as it is: no CR, LF or NUL (header injection), nothing outside
 * Latin-1, and no surrounding whitespace that `Headers` would silently trim. Checked before `Headers.set`, whose
 * own TypeError quotes the value, and with it the secret.
 */
export function isHeaderValue(value: string): boolean {
	return /^[^\0\r\n\t ]?$|^[^\0\r\n\t ][^\0\r\n]*[^\0\r\n\t ]$/.test(value) && !/[^\x00-\xff]/.test(value);
}
