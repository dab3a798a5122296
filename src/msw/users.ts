export type MockUser = { readonly id: string; readonly name: string };

/** A user given as a bare id, or with a display name. */
export type MockUserInput = string | { id: string; name?: string };

export function toMockUsers(inputs: readonly MockUserInput[]): MockUser[] {
	return inputs.map((input) => {
		const { id, name } = typeof input === "string" ? { id: input, name: undefined } : input;
		return { id, name: name ?? id.charAt(0).toUpperCase() + id.slice(1) };
	});
}
