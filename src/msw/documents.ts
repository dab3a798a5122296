import { arrayOf, isCount, isRecord } from "./snapshotGuards.js";

export type MockDocument = { id: string; title: string; ownerId: string; createdAt: string };

/** Every document, and the number the next one gets. */
export type DocumentsSnapshot = { nextId: number; documents: MockDocument[] };

const seedTitles = ["Welcome", "Onboarding checklist", "Meeting notes"];

function sequence(document: MockDocument): number {
	return Number(document.id.slice(document.id.indexOf("_") + 1)) || 0;
}

/** Documents are per user, so a response that leaks another user's data is visible in a test. */
export function createDocumentStore(now: () => number) {
	const documents = new Map<string, MockDocument>();
	let nextId = 1;

	function create(ownerId: string, title: string): MockDocument {
		const document = { id: `doc_${nextId++}`, title, ownerId, createdAt: new Date(now()).toISOString() };
		documents.set(document.id, document);
		return document;
	}

	function clear(): void {
		documents.clear();
		nextId = 1;
	}

	return {
		create,
		/** The owner's documents, oldest first. */
		list(ownerId: string, limit?: number): MockDocument[] {
			const owned = [...documents.values()].filter((document) => document.ownerId === ownerId).sort((a, b) => sequence(a) - sequence(b));
			return owned.slice(0, limit ?? owned.length);
		},
		/** Empty the store and give each user the same three starting documents. */
		seed(ownerIds: readonly string[]): void {
			clear();
			for (const ownerId of ownerIds) for (const title of seedTitles) create(ownerId, title);
		},
		clear,
		snapshot(): DocumentsSnapshot {
			return { nextId, documents: Array.from(documents.values(), (document) => ({ ...document })) };
		},
		/** Documents never change once created, so merging is a union. Two instances creating at the same moment can pick the same id; one document then wins. */
		merge(snapshot: DocumentsSnapshot): void {
			nextId = Math.max(nextId, snapshot.nextId);
			for (const document of snapshot.documents) if (!documents.has(document.id)) documents.set(document.id, { ...document });
		},
	};
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;

function isDocument(value: unknown): value is MockDocument {
	if (!isRecord(value)) return false;
	const { id, title, ownerId, createdAt } = value;
	return typeof id === "string" && typeof title === "string" && typeof ownerId === "string" && typeof createdAt === "string";
}

export function parseDocumentsSnapshot(value: unknown): DocumentsSnapshot | undefined {
	if (!isRecord(value) || !isCount(value.nextId)) return undefined;
	const documents = arrayOf(value.documents, isDocument);
	return documents && { nextId: value.nextId, documents };
}
