import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed set of errors a client can see, with the HTTP status of each. */
export const errorStatus = {
	invalid_request: 400,
	invalid_json: 400,
	invalid_api_key: 401,
	insufficient_quota: 402,
	unauthorized: 401,
	forbidden: 403,
	model_not_allowed: 403,
	model_not_priced: 403,
	not_found: 404,
	conflict: 409,
	body_too_large: 413,
	rate_limited: 429,
	rate_limit_exceeded: 429,
	internal_error: 500,
	upstream_error: 502,
	model_not_available: 503,
	auth_unavailable: 503,
	limits_unavailable: 503,
	upstream_unavailable: 503,
	upstream_timeout: 504,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

export interface GatewayErrorOptions {
	/** The request field at fault, as OpenAI reports it in `error.param`. */
	param?: string;
	headers?: Record<string, string>;
	/** Overrides the code's usual status, e.g. an upstream 400 returned as is. */
	status?: ContentfulStatusCode;
}

export class GatewayError extends Error {
	readonly code: ErrorCode;
	readonly status: ContentfulStatusCode;
	readonly param: string | undefined;
	readonly headers: Record<string, string>;

	constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
		super(message);
		this.name = "GatewayError";
		this.code = code;
		this.status = options.status ?? errorStatus[code];
		this.param = options.param;
		this.headers = options.headers ?? {};
	}
}
