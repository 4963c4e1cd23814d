/**
 * One JSON line per request (REQUEST_LOGS), as Workers Logs indexes it: ids, who called, what served it, and what it
 * cost. Only ids and counts go in: never a key, a token, a prompt or an answer.
 */
export interface RequestLine {
	request_id: string;
	client_request_id?: string | null;
	trace_id?: string | undefined;
	span_id?: string | undefined;
	method: string;
	route: string;
	status: number;
	latency_ms: number;
	user_id?: number | null;
	key_id?: number | null;
	app_id?: string | null;
	channel_id?: number | null;
	provider?: string | null;
	model?: string;
	ttfb_ms?: number | null;
	prompt_tokens?: number;
	completion_tokens?: number;
	cached_tokens?: number;
	cost_usd?: number;
	attempts?: number;
	stream?: boolean;
	error_code?: string | null;
}

export function logRequest(line: RequestLine, event = "request"): void {
	console.log(JSON.stringify({ level: "info", event, ...line }));
}

/**
 * A key event as its own JSON line (a channel opened or recovered, a budget crossed, a job dead, access denied), so
 * that Workers Logs can alert on `event` without parsing request lines. Callers pass ids and reasons, never secrets.
 */
export function logEvent(event: string, fields: Record<string, unknown>, level: "info" | "warn" = "warn"): void {
	console.log(JSON.stringify({ level, ...fields, event }));
}
