import { Hono } from "hono";
import { memoryOwner } from "../../auth/policy";
import type { AppEnv } from "../../env";
import { valid } from "../../lib/validate";
import { recordFeedback } from "../../memory/feedback";
import { findMemory } from "../../memory/memories";
import { feedbackBody } from "./mem0-schemas";

/** Mem0's feedback on a memory, mounted at /mem0: kept per memory (the latest wins), answered in Mem0's shape. */
export const mem0FeedbackRoutes = new Hono<AppEnv>().post("/v1/feedback/", valid("json", feedbackBody), async (c) => {
	const body = c.req.valid("json");
	const owner = memoryOwner(c.get("caller"));
	// Another user's memory, a superseded or unknown one: 404, and nothing is written.
	const row = await findMemory(c.env, owner, body.memory_id);
	const feedback = body.feedback ?? null;
	const reason = feedback === null ? null : (body.feedback_reason ?? null);
	await recordFeedback(c.env, owner, row.id, feedback, reason);
	// Mem0 answers the feedback itself; there is one per memory here, so its id is the memory's.
	return c.json({ id: row.id, feedback, feedback_reason: reason });
});
