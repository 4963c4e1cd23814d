import { z } from "zod";
import { JOB_QUEUES } from "../../queues/job-queues";

export const deadJobView = z.object({
	id: z.number(),
	queue: z.string(),
	message_id: z.string(),
	body: z.unknown(),
	attempts: z.number(),
	error: z.string().nullable(),
	replayed_at: z.string().nullable(),
	/** An operator gave it up (POST /api/jobs/dead/{id}/discard): kept for the record, never replayed. */
	discarded_at: z.string().nullable(),
	created_at: z.string(),
});

export const deadJobList = z.object({ data: z.array(deadJobView) });

export const deadJobQuery = z.object({ pending: z.enum(["true", "false"]).optional() });

/** A queue by the name the Jobs API gives it. */
export const queueParam = z.object({ queue: z.enum(JOB_QUEUES) });

const outcomes = z.object({ acked: z.number(), retried: z.number(), deferred: z.number(), dead: z.number() });

export const queueView = z.object({
	queue: z.enum(JOB_QUEUES),
	/** The Cloudflare queue it consumes. */
	queue_name: z.string(),
	paused: z.boolean(),
	paused_at: z.string().nullable(),
	paused_by: z.string().nullable(),
	/** Messages per outcome over the last hour: acknowledged, retried, put back while paused, dead-lettered. */
	last_hour: outcomes,
	/** The last hour per minute, oldest first; minutes with nothing are left out. */
	minutes: z.array(outcomes.extend({ minute: z.string() })),
	/** Dead jobs of this queue neither replayed nor discarded. */
	dead_pending: z.number(),
});

export const queueList = z.object({ data: z.array(queueView) });
