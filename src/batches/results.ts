import { z } from "zod";
import type { BatchRow, BatchUsage } from "../db/schema";
import { geminiStatus } from "../errors/render";
import { randomBase62 } from "../lib/crypto";
import { readUsage } from "../protocols/usage";
import { linesOf } from "./input-lines";

/** A line as finalization reads it back. */
export interface EndedLine {
	line: number;
	custom_id: string;
	status: "succeeded" | "failed" | "expired" | "cancelled";
	status_code: number | null;
	/** JSON: `{request_id, body}` of an answer, or `{error: {code, message}}` of a line that could not be sent. */
	result: string | null;
}

interface Stored {
	request_id?: string;
	body?: unknown;
	error?: { code: string; message: string };
}

const NOT_RUN = {
	expired: { code: "batch_expired", message: "This request could not be executed before the completion window expired." },
	cancelled: { code: "batch_cancelled", message: "This request was not executed because the batch was cancelled." },
} as const;

function stored(line: EndedLine): Stored {
	return line.result === null ? {} : (JSON.parse(line.result) as Stored);
}

/** OpenAI's output or error file line: `{id, custom_id, response, error}`; which file it goes to. */
export function openaiResultLine(line: EndedLine): { file: "output" | "error"; text: string } {
	const s = stored(line);
	const id = randomBase62("batch_req_", 24);
	const response = line.status_code === null ? null : { status_code: line.status_code, request_id: s.request_id ?? null, body: s.body ?? null };
	const error = line.status === "expired" || line.status === "cancelled" ? NOT_RUN[line.status] : (s.error ?? null);
	return {
		file: line.status === "succeeded" ? "output" : "error",
		text: JSON.stringify({ id, custom_id: line.custom_id, response, error }),
	};
}

/** An Anthropic error object `{type: "error", error: {type, message}}`: the body the gateway answered, or one made of a line error. */
function anthropicError(s: Stored, statusCode: number | null): unknown {
	const body = s.body as { type?: unknown; error?: unknown } | undefined;
	if (body && typeof body === "object" && body.type === "error") return body;
	const message = s.error?.message ?? `The request failed with status ${statusCode ?? "unknown"}.`;
	return { type: "error", error: { type: s.error ? "invalid_request_error" : "api_error", message } };
}

export const noUsage = (): BatchUsage => ({
	input_tokens: 0,
	input_tokens_details: { cached_tokens: 0 },
	output_tokens: 0,
	output_tokens_details: { reasoning_tokens: 0 },
	total_tokens: 0,
});

const withUsage = z.object({ usage: z.record(z.string(), z.unknown()) });

/**
 * Adds a succeeded line's tokens to the batch's `usage`, as its answer reports them: chat's and embeddings'
 * `prompt_tokens`/`completion_tokens`, or the Responses API's `input_tokens`/`output_tokens`.
 */
export function addUsage(total: BatchUsage, line: EndedLine): void {
	if (line.status !== "succeeded") return;
	const parsed = withUsage.safeParse(stored(line).body);
	if (!parsed.success) return;
	const u = parsed.data.usage;
	const usage = readUsage(
		"input_tokens" in u
			? {
					prompt_tokens: u.input_tokens,
					completion_tokens: u.output_tokens,
					prompt_tokens_details: u.input_tokens_details,
					completion_tokens_details: u.output_tokens_details,
				}
			: u,
	);
	if (!usage) return;
	total.input_tokens += usage.promptTokens;
	total.input_tokens_details.cached_tokens += usage.cachedTokens;
	total.output_tokens += usage.completionTokens;
	total.output_tokens_details.reasoning_tokens += usage.reasoningTokens ?? 0;
	total.total_tokens += usage.promptTokens + usage.completionTokens;
}

/** Anthropic's results line: `{custom_id, result: {type: succeeded, message} | {type: errored, error} | {type: canceled} | {type: expired}}`. */
export function anthropicResultLine(line: EndedLine): string {
	const s = stored(line);
	const result =
		line.status === "succeeded"
			? { type: "succeeded", message: s.body }
			: line.status === "failed"
				? { type: "errored", error: anthropicError(s, line.status_code) }
				: { type: line.status === "cancelled" ? "canceled" : "expired" };
	return JSON.stringify({ custom_id: line.custom_id, result });
}

/**
 * google.rpc.Code by name: a Gemini batch result's `error` is a google.rpc.Status, whose `code` is the gRPC code (3 for
 * INVALID_ARGUMENT), not the HTTP status an error answer carries.
 */
const GRPC_CODES = {
	CANCELLED: 1,
	UNKNOWN: 2,
	INVALID_ARGUMENT: 3,
	DEADLINE_EXCEEDED: 4,
	NOT_FOUND: 5,
	ALREADY_EXISTS: 6,
	PERMISSION_DENIED: 7,
	RESOURCE_EXHAUSTED: 8,
	FAILED_PRECONDITION: 9,
	ABORTED: 10,
	OUT_OF_RANGE: 11,
	UNIMPLEMENTED: 12,
	INTERNAL: 13,
	UNAVAILABLE: 14,
	DATA_LOSS: 15,
	UNAUTHENTICATED: 16,
} as const;

const grpcCode = (status: string): number => (Object.hasOwn(GRPC_CODES, status) ? GRPC_CODES[status as keyof typeof GRPC_CODES] : GRPC_CODES.UNKNOWN);

/** The google.rpc.Status of a line that did not run. */
const GEMINI_NOT_RUN = {
	expired: { code: GRPC_CODES.DEADLINE_EXCEEDED, message: NOT_RUN.expired.message },
	cancelled: { code: GRPC_CODES.CANCELLED, message: NOT_RUN.cancelled.message },
} as const;

const geminiAnswerError = z.object({ error: z.object({ status: z.string(), message: z.string() }) });

/** A google.rpc.Status `{code, message}`: of the error the gateway answered, or made of a line error. */
function geminiError(s: Stored, statusCode: number | null): { code: number; message: string } {
	const answered = geminiAnswerError.safeParse(s.body);
	if (answered.success) return { code: grpcCode(answered.data.error.status), message: answered.data.error.message };
	const http = statusCode ?? 400;
	return { code: grpcCode(geminiStatus(http)), message: s.error?.message ?? `The request failed with status ${http}.` };
}

/** The `metadata` of each request of a Gemini batch's input file, by line number (the gateway wrote the file). */
export function geminiMetadata(bytes: Uint8Array): Map<number, unknown> {
	const metadata = new Map<number, unknown>();
	for (const { line, text } of linesOf(bytes)) {
		const value = (JSON.parse(text) as { metadata?: unknown }).metadata;
		if (value !== undefined) metadata.set(line, value);
	}
	return metadata;
}

/** Gemini's `InlinedResponse`: `{response, metadata}` or `{error, metadata}`, one line of the results file. */
export function geminiResultLine(line: EndedLine, metadata: unknown): string {
	const s = stored(line);
	const answer =
		line.status === "succeeded"
			? { response: s.body }
			: line.status === "failed"
				? { error: geminiError(s, line.status_code) }
				: { error: GEMINI_NOT_RUN[line.status] };
	return JSON.stringify({ ...answer, ...(metadata !== undefined && { metadata }) });
}

/** The status a batch ends in once no line is left: cancelled if it was being cancelled, expired if any line expired. */
export function endStatus(row: Pick<BatchRow, "cancellingAt" | "expiredLines">): "cancelled" | "expired" | "completed" {
	if (row.cancellingAt !== null) return "cancelled";
	return row.expiredLines > 0 ? "expired" : "completed";
}
