import { z } from "zod";

const text = z.object({ type: z.literal("text"), text: z.string() });
const imageUrl = z.object({ type: z.literal("image_url"), image_url: z.object({ url: z.string().min(1) }) });

export const moderationRequest = z.looseObject({
	input: z.union([z.string(), z.array(z.string()).min(1, "must not be empty"), z.array(z.union([text, imageUrl])).min(1, "must not be empty")]),
	// OpenAI's own default when a client names none.
	model: z.string().min(1, "is required").max(200, "must be at most 200 characters").default("omni-moderation-latest"),
});

export const moderationResponse = z.looseObject({
	id: z.string(),
	model: z.string(),
	results: z.array(
		z.looseObject({
			flagged: z.boolean(),
			categories: z.record(z.string(), z.boolean().nullable()),
			category_scores: z.record(z.string(), z.number()),
			category_applied_input_types: z.record(z.string(), z.array(z.string())),
		}),
	),
});
