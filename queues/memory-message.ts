import { z } from "zod";

/**
 * One add with `infer: true` to extract facts from: the conversation as the client sent it, its entity ids and
 * metadata, whose memories they become (`owner_id`) and which key pays for the extraction (`key_id`). `event_id`
 * names the PENDING event the add answered with: the consumer finishes it, and skips a message whose event is done,
 * so a redelivery does nothing twice.
 */
export const memoryMessage = z.object({
	event_id: z.string().min(1).max(100),
	owner_id: z.number().int(),
	key_id: z.number().int(),
	messages: z.array(z.object({ role: z.string().min(1).max(64), content: z.string() })),
	entities: z.object({
		user_id: z.string().optional(),
		agent_id: z.string().optional(),
		app_id: z.string().optional(),
		run_id: z.string().optional(),
	}),
	metadata: z.record(z.string(), z.unknown()).nullable(),
	/** What the messages are: an add's or a chat turn's (facts stated), or a finished conversation to sum up. */
	kind: z.enum(["facts", "summary"]).optional(),
	/** The W3C traceparent of the request that queued it: the consumer's span continues that trace. */
	traceparent: z.string().max(256).optional(),
});

export type MemoryMessage = z.infer<typeof memoryMessage>;

export const MEMORY_QUEUE = "edge-gateway-memory";
