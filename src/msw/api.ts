import type { JsonBodyType } from "msw";
import type { Caller } from "./authenticate.js";
import type { DocumentStore } from "./documents.js";

/** What a protected route answers; the caller's identity header is added by the route wrapper. */
export type ApiResult = { status?: number; body: JsonBodyType };

/**
 * A request as a protected route sees it, read before the route touches any state: with a persisted backend
 * nothing may be awaited between reading state and saving it. `body` is `undefined` when it is not a JSON object.
 */
export type ApiRequest = { url: URL; body: Record<string, unknown> | undefined };

export function validationError(message: string): ApiResult {
	return { status: 400, body: { error: "validation_error", message } };
}

/** The JSON object in `text`; empty text counts as `{}`. `undefined` when it is not a JSON object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
	if (text.trim() === "") return {};
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** The JSON object body of an RPC call; an empty body counts as `{}`. `undefined` when it is not a JSON object. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown> | undefined> {
	return parseJsonObject(await request.text());
}

export async function readApiRequest(request: Request): Promise<ApiRequest> {
	return { url: new URL(request.url), body: await readJsonObject(request) };
}

function parseLimit(value: unknown): number | undefined | "invalid" {
	if (value === undefined || value === null) return undefined;
	const limit = typeof value === "string" ? Number(value) : value;
	return typeof limit === "number" && Number.isInteger(limit) && limit >= 0 ? limit : "invalid";
}

function documentList(caller: Caller, documents: DocumentStore, rawLimit: unknown): ApiResult {
	const limit = parseLimit(rawLimit);
	if (limit === "invalid") return validationError("limit must be a non-negative integer");
	return { body: { data: documents.list(caller.user.id, limit), user: caller.user } };
}

/** `POST documents.list` with a JSON body `{ limit? }`. */
export function listDocuments({ body }: ApiRequest, caller: Caller, documents: DocumentStore): ApiResult {
	if (!body) return validationError("The body must be a JSON object");
	return documentList(caller, documents, body.limit);
}

/** `GET documents?limit=`, the REST spelling of the same list. */
export function listDocumentsByQuery({ url }: ApiRequest, caller: Caller, documents: DocumentStore): ApiResult {
	return documentList(caller, documents, url.searchParams.get("limit") ?? undefined);
}

export function createDocument({ body }: ApiRequest, caller: Caller, documents: DocumentStore): ApiResult {
	if (!body) return validationError("The body must be a JSON object");
	const title = typeof body.title === "string" ? body.title.trim() : "";
	if (title === "") return validationError("title is required");
	return { body: { data: documents.create(caller.user.id, title) } };
}

export function authInfo(caller: Caller): ApiResult {
	return { body: { data: { user: caller.user } } };
}
