import { z } from "zod";

/**
 * Anomaly detection's contract: a key's settings (its `anomaly` column, null = ANOMALY_POLICY with the defaults),
 * the observations an isolate sends to the key's governor, and what the governor answers.
 */

export const ANOMALY_POLICIES = ["off", "alert", "lock"] as const;
export type AnomalyPolicy = (typeof ANOMALY_POLICIES)[number];

/** What a key may set in its `anomaly` json (POST/PATCH /api/tokens); each field omitted takes its default. */
export const anomalyOverrides = z
	.object({
		policy: z.enum(ANOMALY_POLICIES).optional(),
		/** No event until the profile has seen this many requests... */
		learning_requests: z.number().int().min(0).max(1_000_000).optional(),
		/** ...over at least this many hours since its first. */
		learning_hours: z
			.number()
			.min(0)
			.max(24 * 90)
			.optional(),
		/** A minute with this many times the profile's requests per active minute is a spike. */
		rate_factor: z.number().min(1.5).max(1_000).optional(),
		/** Failures in one minute that, at a failure rate far above the profile's, make a burst. */
		failure_burst: z.number().int().min(1).max(100_000).optional(),
	})
	.strict();

export type AnomalyOverrides = z.infer<typeof anomalyOverrides>;

/** A tracked key's settings, resolved: never "off" (an untracked key has none at all). */
export interface AnomalySettings {
	policy: "alert" | "lock";
	learningRequests: number;
	learningHours: number;
	rateFactor: number;
	failureBurst: number;
}

/**
 * Defaults chosen against false positives: a day and 200 requests of history before anything is judged, a tenfold
 * rate, and 20 failures in a minute.
 */
export const ANOMALY_DEFAULTS = { learningRequests: 200, learningHours: 24, rateFactor: 10, failureBurst: 20 } as const;

/**
 * A key's settings from its stored column (unreadable json counts as none) and the gateway's default policy; null
 * when its policy is off, so that the relay does nothing for it.
 */
export function anomalySettings(stored: unknown, fallback: AnomalyPolicy): AnomalySettings | null {
	const parsed = anomalyOverrides.safeParse(stored);
	const o = parsed.success ? parsed.data : {};
	const policy = o.policy ?? fallback;
	if (policy === "off") return null;
	return {
		policy,
		learningRequests: o.learning_requests ?? ANOMALY_DEFAULTS.learningRequests,
		learningHours: o.learning_hours ?? ANOMALY_DEFAULTS.learningHours,
		rateFactor: o.rate_factor ?? ANOMALY_DEFAULTS.rateFactor,
		failureBurst: o.failure_burst ?? ANOMALY_DEFAULTS.failureBurst,
	};
}

/** What one isolate saw of one key since its last send: counts, and how often each family, country and network came. */
export interface Observations {
	keyId: number;
	userId: number;
	settings: AnomalySettings;
	/** The time of the latest request counted (the isolate's clock). */
	at: number;
	requests: number;
	failures: number;
	bytes: number;
	families: Record<string, number>;
	countries: Record<string, number>;
	networks: Record<string, number>;
}

export const ANOMALY_KINDS = ["new_model_family", "new_country", "new_network", "failure_burst", "rate_spike"] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** The governor's answer: the anomalies it reported now (each kind at most once per window), and whether it locked the key. */
export interface ObservationVerdict {
	reported: AnomalyKind[];
	locked: boolean;
}

/** A request's model's family, for the profile: the letters its name starts with, past any vendor path (`gpt`, `claude`, `llama`). */
export function modelFamily(model: string): string {
	const name = model.toLowerCase().split("/").at(-1) ?? "";
	return /^[a-z]+/.exec(name)?.[0] ?? (name.slice(0, 32) || "unknown");
}
