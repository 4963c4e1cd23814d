import { z } from "zod";

export const deadJobView = z.object({
	id: z.number(),
	queue: z.string(),
	message_id: z.string(),
	body: z.unknown(),
	attempts: z.number(),
	error: z.string().nullable(),
	replayed_at: z.string().nullable(),
	created_at: z.string(),
});

export const deadJobList = z.object({ data: z.array(deadJobView) });

export const deadJobQuery = z.object({ pending: z.enum(["true", "false"]).optional() });
