import { z } from "zod";
import { MAX_BATCH_LINES } from "../batches/input-lines";
import { generateContentResponse } from "./gemini-schemas";

/** One inline request: a generateContent body, and metadata the results repeat (`key` names it, as in a file). */
const inlinedRequest = z.object({
	request: z.looseObject({}),
	metadata: z.looseObject({ key: z.string().optional() }).optional(),
});

const inlinedRequests = z.object({ requests: z.array(inlinedRequest).min(1).max(MAX_BATCH_LINES) });

/**
 * `batchGenerateContent`'s body. Google's JSON mapping takes camelCase (as @google/genai sends it) or snake_case (its
 * curl examples) for these few fields; the requests' own bodies are read by generateContent as each line runs.
 */
export const geminiBatchCreate = z.object({
	batch: z.object({
		displayName: z.string().max(512).optional(),
		display_name: z.string().max(512).optional(),
		inputConfig: z.looseObject({ requests: inlinedRequests.optional(), fileName: z.string().optional() }).optional(),
		input_config: z.looseObject({ requests: inlinedRequests.optional(), file_name: z.string().optional() }).optional(),
	}),
});

export const BATCH_STATES = [
	"BATCH_STATE_PENDING",
	"BATCH_STATE_RUNNING",
	"BATCH_STATE_SUCCEEDED",
	"BATCH_STATE_FAILED",
	"BATCH_STATE_CANCELLED",
	"BATCH_STATE_EXPIRED",
] as const;

/** Google's `InlinedResponse`: the answer or the error of one request, with its metadata. */
const inlinedResponse = z.object({
	response: generateContentResponse.optional(),
	error: z.object({ code: z.number().int(), message: z.string(), status: z.string() }).optional(),
	metadata: z.looseObject({}).optional(),
});

/** `GenerateContentBatch`; counts are int64, which Google's JSON writes as strings. */
export const geminiBatch = z.object({
	"@type": z.literal("type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"),
	name: z.string(),
	model: z.string(),
	displayName: z.string(),
	state: z.enum(BATCH_STATES),
	createTime: z.string(),
	updateTime: z.string(),
	endTime: z.string().optional(),
	batchStats: z.object({
		requestCount: z.string(),
		successfulRequestCount: z.string(),
		failedRequestCount: z.string(),
		pendingRequestCount: z.string(),
	}),
	output: z.object({ inlinedResponses: z.object({ inlinedResponses: z.array(inlinedResponse) }) }).optional(),
});

/** The long-running operation Google answers for a batch (create, get, list): the batch is its metadata. */
export const geminiBatchOperation = z.object({ name: z.string(), metadata: geminiBatch, done: z.boolean() });

export const geminiBatchList = z.object({ operations: z.array(geminiBatchOperation), nextPageToken: z.string().optional() });

export const geminiBatchListQuery = z.object({
	pageSize: z.coerce.number().int().min(1).max(1000).default(50),
	pageToken: z.string().max(64).optional(),
});

/** A batch's id, the last segment of its name `batches/<id>`. */
export const geminiBatchIdParam = z.object({ name: z.string().max(64) });

/** `<id>:cancel`, the last segment of a cancel. */
export const geminiBatchCancelParam = z.object({ cancelAction: z.string().max(72) });
