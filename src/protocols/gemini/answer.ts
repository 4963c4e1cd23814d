import { z } from "zod";

/** What the gateway reads of a Gemini channel's answers, parsed by zod; everything else is ignored. */

const count = z.number().optional().catch(undefined);

/** Counts of another type read as absent rather than failing the answer: usage is metered, not trusted for shape. */
export const usageMetadata = z.looseObject({
	promptTokenCount: count,
	candidatesTokenCount: count,
	thoughtsTokenCount: count,
	cachedContentTokenCount: count,
	toolUsePromptTokenCount: count,
	totalTokenCount: count,
});

export const withUsage = z.looseObject({ usageMetadata: usageMetadata.optional().catch(undefined) });

const part = z.looseObject({
	text: z.string().optional(),
	thought: z.boolean().optional(),
	thoughtSignature: z.string().optional(),
	functionCall: z.looseObject({ name: z.string(), args: z.record(z.string(), z.unknown()).optional(), id: z.string().optional() }).optional(),
});

/** A generateContent answer: candidates, or a prompt blocked outright (feedback and no candidate at all). */
export const generateContentAnswer = z
	.looseObject({
		candidates: z
			.array(z.looseObject({ content: z.looseObject({ parts: z.array(part).optional() }).optional(), finishReason: z.string().optional() }))
			.optional(),
		promptFeedback: z.looseObject({ blockReason: z.string().optional() }).optional(),
		usageMetadata: usageMetadata.optional(),
		responseId: z.string().optional(),
	})
	.refine((r) => r.candidates !== undefined || r.promptFeedback !== undefined, "is not a generateContent answer");

export type GenerateContentAnswer = z.infer<typeof generateContentAnswer>;

export const embeddingsAnswer = z.looseObject({ embeddings: z.array(z.looseObject({ values: z.array(z.number()).optional() })).optional() });
