import { z } from "zod";
import { streamErrorSchema } from "../stream-json";

const part = z.object({
	text: z.string().optional(),
	thought: z.boolean().optional(),
	thoughtSignature: z.string().optional(),
	functionCall: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()).optional(), id: z.string().optional() }).optional(),
});

const usageMetadata = z
	.object({
		promptTokenCount: z.number().optional(),
		candidatesTokenCount: z.number().optional(),
		thoughtsTokenCount: z.number().optional(),
		cachedContentTokenCount: z.number().optional(),
		toolUsePromptTokenCount: z.number().optional(),
	})
	.optional()
	.catch(undefined);

/**
 * One event of Gemini's stream: a whole GenerateContentResponse holding the new parts, or Google's error body.
 * Usage metadata that does not fit is dropped rather than costing the event its content.
 */
export const geminiEventSchema = z.object({
	candidates: z.array(z.object({ content: z.object({ parts: z.array(part).optional() }).optional(), finishReason: z.string().optional() })).optional(),
	promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
	usageMetadata,
	error: streamErrorSchema.nullish(),
});

export type GeminiEvent = z.infer<typeof geminiEventSchema>;
export type GeminiEventPart = z.infer<typeof part>;
