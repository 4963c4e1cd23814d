import { z } from "zod";

/**
 * One worker of a key's batches (src/batches/worker.ts): it claims that key's lines from D1, one at a time, within
 * the key's concurrency. The message names no line, so a message delivered twice, or after the batches ended, claims
 * only what is still there to claim.
 */
export const batchMessage = z.object({ token_id: z.number().int().positive() });

export type BatchMessage = z.infer<typeof batchMessage>;

export const BATCH_QUEUE = "edge-gateway-batch";
