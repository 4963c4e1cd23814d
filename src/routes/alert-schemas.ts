import { z } from "zod";

const METRICS = ["error_rate", "p95_latency_ms", "p95_ttfb_ms", "spend_usd"] as const;
const SCOPES = ["all", "model", "channel", "key"] as const;

const fields = {
	name: z.string().trim().min(1).max(200),
	/** error_rate: the share of requests answered 5xx (0 to 1); p95_*: milliseconds; spend_usd: dollars over the window. */
	metric: z.enum(METRICS),
	/** all: the whole gateway; model, channel, key: each one apart, or only `subject` when it is set. */
	scope: z.enum(SCOPES),
	/** A model name, a channel id or a key id, as text; null: every one of the scope. */
	subject: z.string().trim().min(1).max(200).nullable(),
	/** The rule fires when the value is above this. */
	threshold: z.number().finite().nonnegative(),
	window_minutes: z.number().int().min(1).max(1440),
	/** Rates and percentiles over fewer requests than this are not judged (spend is judged from one request). */
	min_requests: z.number().int().min(1).max(1_000_000),
	/** The same rule and subject fire at most once in this long. */
	cooldown_minutes: z.number().int().min(1).max(10_080),
	enabled: z.boolean(),
};

const subjectFits = (o: { scope?: string; subject?: string | null }) => !(o.scope === "all" && o.subject);
const subjectIssue = { message: "A rule over the whole gateway ('all') has no subject", path: ["subject"] };

export const ruleCreate = z
	.object({
		...fields,
		scope: fields.scope.default("all"),
		subject: fields.subject.default(null),
		window_minutes: fields.window_minutes.default(5),
		min_requests: fields.min_requests.default(10),
		cooldown_minutes: fields.cooldown_minutes.default(60),
		enabled: fields.enabled.default(true),
	})
	.refine(subjectFits, subjectIssue);

export const rulePatch = z.object(fields).partial().refine(subjectFits, subjectIssue);

export const ruleView = z.object({
	id: z.number(),
	...fields,
	created_at: z.string(),
	updated_at: z.string(),
});

export const ruleList = z.object({ data: z.array(ruleView) });

export const firingQuery = z.object({
	rule_id: z.coerce.number().int().positive().optional(),
	limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const firingView = z.object({
	id: z.number(),
	rule_id: z.number(),
	/** The rule's name now; null when it was deleted since. */
	rule: z.string().nullable(),
	subject: z.string(),
	value: z.number(),
	threshold: z.number(),
	requests: z.number(),
	created_at: z.string(),
});

export const firingList = z.object({ data: z.array(firingView) });
