import { z } from "zod";

/** The paths a batch's lines may go to (OpenAI's list, less /v1/completions, which this gateway does not serve). */
export const BATCH_ENDPOINTS = ["/v1/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/moderations"] as const;

/** Anthropic's Message Batches send every line to this path. */
export const MESSAGES_ENDPOINT = "/v1/messages";

/** Gemini's batch mode sends every line to its model's generateContent; the model is in the path, not the body. */
export const geminiEndpoint = (model: string) => `/v1beta/models/${model}:generateContent`;

const isGemini = (endpoint: string) => endpoint.startsWith("/v1beta/models/");

/** OpenAI's bound on the requests of one batch. */
export const MAX_BATCH_LINES = 50_000;

/**
 * One request of the input file, as read back for its run: where it goes and what it sends. Its body names its model,
 * but for a Gemini line, whose path does. Other fields of the line (a Gemini request's `metadata`) are not sent.
 */
export const inputLine = z.object({
	custom_id: z.string().min(1).max(512),
	method: z.literal("POST"),
	url: z.string(),
	body: z.looseObject({ model: z.string().min(1).optional() }),
});

/** A line of the input file to run: its number (from 1, as errors name it) and its bytes' place in the file. */
export interface LinePlace {
	line: number;
	customId: string;
	offset: number;
	length: number;
}

/** Why an input file cannot be run, as OpenAI lists it in `errors.data`. */
export interface InputError {
	code: string;
	message: string;
	line: number | null;
	param: string | null;
}

const decoder = new TextDecoder();

/** The non-blank lines of a JSONL file with their byte ranges (a `\r` before the newline left out). */
export function* linesOf(bytes: Uint8Array): Generator<{ line: number; offset: number; length: number; text: string }> {
	let start = 0;
	let line = 0;
	while (start < bytes.length) {
		const newline = bytes.indexOf(0x0a, start);
		const end = newline === -1 ? bytes.length : newline;
		line++;
		const length = (end > start && bytes[end - 1] === 0x0d ? end - 1 : end) - start;
		const text = decoder.decode(bytes.subarray(start, start + length));
		if (text.trim() !== "") yield { line, offset: start, length, text };
		start = end + 1;
	}
}

type Verdict = { ok: true; customId: string; model: string | undefined } | { ok: false; code: string; message: string; param: string | null };

function judge(text: string, endpoint: string): Verdict {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return { ok: false, code: "invalid_json_line", message: "This line is not parseable as valid JSON.", param: null };
	}
	const parsed = inputLine.safeParse(json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const param = issue?.path.map(String).join(".") || null;
		return { ok: false, code: "invalid_request", message: `Invalid ${param ?? "line"}: ${issue?.message ?? "not a batch request"}`, param };
	}
	if (parsed.data.body.model === undefined && !isGemini(endpoint)) {
		return { ok: false, code: "invalid_request", message: "Invalid body.model: is required", param: "body.model" };
	}
	if (parsed.data.url !== endpoint) {
		return {
			ok: false,
			code: "mismatched_endpoint",
			message: `The line's url '${parsed.data.url}' is not the batch's endpoint '${endpoint}'.`,
			param: "url",
		};
	}
	return { ok: true, customId: parsed.data.custom_id, model: parsed.data.body.model };
}

/**
 * The lines of a batch's input file, or every reason it cannot run (OpenAI fails such a batch with them all): each
 * line a JSON request `{custom_id, method: "POST", url: <the batch's endpoint>, body: {model, …}}`, custom ids unique.
 * `model` is the one model every line names, or null when they name several (the gateway runs such a batch, where
 * OpenAI would refuse it).
 */
export function readInput(bytes: Uint8Array, endpoint: string): { lines: LinePlace[]; errors: InputError[]; model: string | null } {
	const lines: LinePlace[] = [];
	const errors: InputError[] = [];
	const seen = new Set<string>();
	const models = new Set<string | undefined>();
	for (const { line, offset, length, text } of linesOf(bytes)) {
		const verdict = judge(text, endpoint);
		if (!verdict.ok) errors.push({ code: verdict.code, message: verdict.message, line, param: verdict.param });
		else if (seen.has(verdict.customId)) {
			errors.push({ code: "duplicate_custom_id", message: `The custom_id '${verdict.customId}' is used by an earlier line.`, line, param: "custom_id" });
		} else {
			seen.add(verdict.customId);
			models.add(verdict.model);
			lines.push({ line, customId: verdict.customId, offset, length });
		}
	}
	if (lines.length + errors.length === 0) errors.push({ code: "empty_file", message: "The input file has no requests.", line: null, param: null });
	if (lines.length > MAX_BATCH_LINES) {
		errors.push({ code: "too_many_requests", message: `A batch takes at most ${MAX_BATCH_LINES} requests.`, line: null, param: null });
	}
	const [only] = models;
	return { lines, errors, model: models.size === 1 && only !== undefined ? only : null };
}
