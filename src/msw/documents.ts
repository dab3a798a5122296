export type MockDocument = { id: string; title: string; ownerId: string; createdAt: string };

const seedTitles = ["Welcome", "Onboarding checklist", "Meeting notes"];

/** Documents are per user, so a response that leaks another user's data is visible in a test. */
export function createDocumentStore(now: () => number) {
	const byOwner = new Map<string, MockDocument[]>();
	let nextId = 1;

	function create(ownerId: string, title: string): MockDocument {
		const document = { id: `doc_${nextId++}`, title, ownerId, createdAt: new Date(now()).toISOString() };
		const owned = byOwner.get(ownerId) ?? [];
		owned.push(document);
		byOwner.set(ownerId, owned);
		return document;
	}

	return {
		create,
		list(ownerId: string, limit?: number): MockDocument[] {
			const owned = byOwner.get(ownerId) ?? [];
			return owned.slice(0, limit ?? owned.length);
		},
		/** Empty the store and give each user the same three starting documents. */
		seed(ownerIds: readonly string[]): void {
			byOwner.clear();
			nextId = 1;
			for (const ownerId of ownerIds) for (const title of seedTitles) create(ownerId, title);
		},
	};
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;
