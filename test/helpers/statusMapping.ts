import { ForbiddenError, HttpError, NotFoundError, RateLimitError, ServerError } from "../../src/index.js";

/**
 * Status → class → code, for the statuses Outline's ApiClient maps to its own errors
 * (400 BadRequest, 402 PaymentRequired, 403 Authorization, 404 NotFound, 422 Validation,
 * 429 RateLimited, 499 Offline, 502 BadGateway, 503 ServiceUnavailable).
 */
export const outlineStatusMapping = [
	[400, HttpError, "BAD_REQUEST"],
	[402, HttpError, "PAYMENT_REQUIRED"],
	[403, ForbiddenError, "FORBIDDEN"],
	[404, NotFoundError, "NOT_FOUND"],
	[422, HttpError, "UNPROCESSABLE"],
	[429, RateLimitError, "RATE_LIMITED"],
	[499, HttpError, "CLIENT_CLOSED_REQUEST"],
	[502, ServerError, "SERVER_ERROR"],
	[503, ServerError, "SERVER_ERROR"],
] as const;
