import { z } from "zod";
import { camelKeys } from "../protocols/gemini/casing";
import { geminiMemoryField } from "./shared/chat-memory";
import { geminiFileSearchOptions } from "./shared/file-search";

const record = z.record(z.string(), z.unknown());

const part = z.looseObject({
	text: z.string().optional(),
	thought: z.boolean().optional(),
	thoughtSignature: z.string().optional(),
	inlineData: z.looseObject({ mimeType: z.string(), data: z.string() }).optional(),
	fileData: z.looseObject({ mimeType: z.string().optional(), fileUri: z.string() }).optional(),
	functionCall: z.looseObject({ name: z.string(), args: record.optional(), id: z.string().optional() }).optional(),
	functionResponse: z.looseObject({ name: z.string(), response: record, id: z.string().optional() }).optional(),
});

const content = z.looseObject({ role: z.string().optional(), parts: z.array(part) });

const functionDeclaration = z.looseObject({
	name: z.string().min(1, "is required"),
	description: z.string().optional(),
	parameters: record.optional(),
	parametersJsonSchema: z.unknown().optional(),
});

const generationConfig = z.looseObject({
	temperature: z.number().min(0).max(2).optional(),
	topP: z.number().min(0).max(1).optional(),
	topK: z.number().int().positive().optional(),
	maxOutputTokens: z.number().int().positive().optional(),
	stopSequences: z.array(z.string()).max(5).optional(),
	candidateCount: z.number().int().positive().optional(),
	seed: z.number().int().optional(),
	presencePenalty: z.number().optional(),
	frequencyPenalty: z.number().optional(),
	responseMimeType: z.string().optional(),
	responseSchema: record.optional(),
	responseJsonSchema: z.unknown().optional(),
	thinkingConfig: z
		.looseObject({ thinkingBudget: z.number().int().min(-1).optional(), includeThoughts: z.boolean().optional(), thinkingLevel: z.string().optional() })
		.optional(),
});

/** A generateContent body in camelCase: the fields the gateway reads; the rest passes to a Gemini channel untouched. */
const camelRequest = z.looseObject({
	contents: z.array(content).min(1, "must contain at least one content"),
	systemInstruction: content.optional(),
	tools: z.array(z.looseObject({ functionDeclarations: z.array(functionDeclaration).optional() })).optional(),
	toolConfig: z
		.looseObject({ functionCallingConfig: z.looseObject({ mode: z.string().optional(), allowedFunctionNames: z.array(z.string()).optional() }).optional() })
		.optional(),
	generationConfig: generationConfig.optional(),
	fileSearch: z
		.looseObject({})
		.optional()
		.describe(
			"The gateway's extension (also `file_search`): search your vector stores and answer from them. `{vectorStoreIds, maxNumResults, filters, rankingOptions}`; the answer gains `citations` and `fileSearch`.",
		),
	memory: geminiMemoryField.optional(),
});

/**
 * Google's JSON mapping also accepts snake_case names (its curl examples use them), so the body is checked as sent,
 * renamed to camelCase, and checked again: the codec reads one spelling, and the document shows the first schema.
 */
export const generateContentRequest = camelRequest
	.transform(camelKeys)
	// The extension is read once, in camelCase: its options end in the snake_case form every dialect shares.
	.pipe(camelRequest.extend({ fileSearch: geminiFileSearchOptions.optional() }));

/** `alt=sse` streams server-sent events; without it (or with `alt=json`) a stream is one JSON array. */
export const geminiQuery = z.looseObject({ alt: z.enum(["sse", "json"]).optional() });

export const generateContentResponse = z.looseObject({
	candidates: z.array(
		z.looseObject({
			content: z.looseObject({ role: z.string(), parts: z.array(z.looseObject({})) }),
			finishReason: z.string().optional(),
			index: z.number(),
		}),
	),
	usageMetadata: z.looseObject({ promptTokenCount: z.number(), candidatesTokenCount: z.number(), totalTokenCount: z.number() }).optional(),
	modelVersion: z.string(),
	responseId: z.string(),
});

export const geminiModelList = z.object({
	models: z.array(z.object({ name: z.string(), displayName: z.string(), supportedGenerationMethods: z.array(z.string()) })),
});
