import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "./gateway-error";

/** OpenAI's `error.type` for each status class; clients (the openai SDK among them) branch on status, people read the type. */
function openAIType(status: number): string {
	if (status === 401) return "authentication_error";
	if (status === 403) return "permission_error";
	if (status === 404) return "not_found_error";
	if (status === 409) return "conflict_error";
	if (status === 429) return "rate_limit_error";
	if (status < 500) return "invalid_request_error";
	return "api_error";
}

export interface ErrorBody {
	status: ContentfulStatusCode;
	code: ErrorCode;
	message: string;
	param?: string | undefined;
}

export function openAIErrorJson(e: ErrorBody) {
	return {
		error: {
			message: e.message,
			type: openAIType(e.status),
			code: e.code,
			param: e.param ?? null,
		},
	};
}
