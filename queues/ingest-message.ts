import { z } from "zod";

/**
 * One file of a vector store to ingest (parse → chunk → embed → index). The message names the work, not its data:
 * the consumer reads the file and its settings from D1, so a message delivered twice, or after the file left the
 * store, does nothing wrong. `generation` is the store file's `updated_at` when queued: a stale message (the file was
 * re-added or cancelled since) is dropped.
 */
export const ingestMessage = z.object({
	vector_store_id: z.string().min(1).max(100),
	file_id: z.string().min(1).max(100),
	generation: z.number().int(),
	/** The W3C traceparent of the request that queued it: the consumer's span continues that trace. */
	traceparent: z.string().max(256).optional(),
});

export type IngestMessage = z.infer<typeof ingestMessage>;

export const INGEST_QUEUE = "edge-gateway-ingest";
