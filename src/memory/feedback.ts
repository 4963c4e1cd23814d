import { and, eq } from "drizzle-orm";
import { db } from "../db/client";
import { memoryFeedback } from "../db/schema";

export type Feedback = NonNullable<typeof memoryFeedback.$inferSelect.feedback>;

/**
 * Records the owner's feedback on one of their memories, replacing any earlier one (the latest counts, as Mem0 keeps
 * it). A null `feedback` removes it, as Mem0 documents. The caller has checked that the memory is the owner's.
 */
export async function recordFeedback(env: Env, ownerId: number, memoryId: string, feedback: Feedback | null, reason: string | null): Promise<void> {
	const d = db(env);
	if (feedback === null) {
		await d.delete(memoryFeedback).where(and(eq(memoryFeedback.ownerId, ownerId), eq(memoryFeedback.memoryId, memoryId)));
		return;
	}
	const row = { ownerId, memoryId, feedback, feedbackReason: reason, createdAt: Date.now() };
	await d
		.insert(memoryFeedback)
		.values(row)
		.onConflictDoUpdate({ target: [memoryFeedback.ownerId, memoryFeedback.memoryId], set: { feedback, feedbackReason: reason, createdAt: row.createdAt } });
}
