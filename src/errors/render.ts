import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "./gateway-error";

/** The error formats of the APIs the gateway serves; each route says which one its clients read. */
export type ErrorDialect = "openai" | "anthropic" | "gemini" | "mem0" | "dify";

export interface ErrorBody {
	status: ContentfulStatusCode;
	code: ErrorCode;
	message: string;
	param?: string | undefined;
}

/** OpenAI's `error.type` for each status class; clients (the openai SDK among them) branch on status, people read the type. */
function openAIType(status: number): string {
	if (status === 401) return "authentication_error";
	if (status === 402) return "insufficient_quota";
	if (status === 403) return "permission_error";
	if (status === 404) return "not_found_error";
	if (status === 409) return "conflict_error";
	if (status === 429) return "rate_limit_error";
	if (status < 500) return "invalid_request_error";
	return "api_error";
}

/**
 * OpenAI's own words for codes clients test for: an upstream's rate limit reaches an OpenAI client as OpenAI's
 * `rate_limit_exceeded`, as the key's own limits do; the gateway's records keep them apart (`rate_limited`).
 */
const openAICodes: Partial<Record<ErrorCode, string>> = { rate_limited: "rate_limit_exceeded" };

export function openAIErrorJson(e: ErrorBody) {
	return { error: { message: e.message, type: openAIType(e.status), code: openAICodes[e.code] ?? e.code, param: e.param ?? null } };
}

/** Anthropic's documented error types (https://docs.anthropic.com/en/api/errors). */
export function anthropicErrorType(status: number): string {
	if (status === 401) return "authentication_error";
	if (status === 402) return "billing_error";
	if (status === 403) return "permission_error";
	if (status === 404) return "not_found_error";
	if (status === 413) return "request_too_large";
	if (status === 429) return "rate_limit_error";
	if (status === 503 || status === 529) return "overloaded_error";
	if (status === 504) return "timeout_error";
	if (status < 500) return "invalid_request_error";
	return "api_error";
}

export function anthropicErrorJson(e: ErrorBody) {
	return { type: "error", error: { type: anthropicErrorType(e.status), message: e.message } };
}

/** Google's canonical status names, as the Gemini API puts them in `error.status`. */
export function geminiStatus(status: number): string {
	if (status === 401) return "UNAUTHENTICATED";
	if (status === 403) return "PERMISSION_DENIED";
	if (status === 404) return "NOT_FOUND";
	if (status === 409) return "ALREADY_EXISTS";
	if (status === 429) return "RESOURCE_EXHAUSTED";
	if (status === 501) return "UNIMPLEMENTED";
	if (status === 502 || status === 503) return "UNAVAILABLE";
	if (status === 504) return "DEADLINE_EXCEEDED";
	if (status < 500) return status === 402 ? "FAILED_PRECONDITION" : "INVALID_ARGUMENT";
	return "INTERNAL";
}

export function geminiErrorJson(e: ErrorBody) {
	return { error: { code: e.status, message: e.message, status: geminiStatus(e.status) } };
}

/**
 * Mem0's platform API answers errors as Django REST framework does, `{"detail": "..."}`; the mem0ai client throws
 * with the body's text and branches on the status alone.
 */
export function mem0ErrorJson(e: ErrorBody) {
	return { detail: e.message, code: e.code };
}

/** Dify's error codes by status, as its service API (api/controllers/service_api) answers them. */
export function difyCode(status: number): string {
	if (status === 400) return "invalid_param";
	if (status === 401) return "unauthorized";
	if (status === 402) return "quota_exceeded";
	if (status === 403) return "forbidden";
	if (status === 404) return "not_found";
	if (status === 409) return "conflict";
	if (status === 413) return "file_too_large";
	if (status === 415) return "unsupported_file_type";
	if (status === 429) return "too_many_requests";
	if (status < 500) return "bad_request";
	if (status === 503) return "provider_not_initialize";
	if (status === 504) return "gateway_timeout";
	return "internal_server_error";
}

/** Dify's service API answers errors as `{code, message, status}`; dify-client throws axios's error with that body. */
export function difyErrorJson(e: ErrorBody) {
	return { code: difyCode(e.status), message: e.message, status: e.status };
}

export const renderError = {
	openai: openAIErrorJson,
	anthropic: anthropicErrorJson,
	gemini: geminiErrorJson,
	mem0: mem0ErrorJson,
	dify: difyErrorJson,
} as const satisfies Record<ErrorDialect, (e: ErrorBody) => object>;
