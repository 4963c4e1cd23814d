import { z } from "zod";
import type { Observations } from "./anomaly-types";
import type { AttemptOutcome, BreakerConfig } from "./breaker-types";
import type { Actual, Limits, ReserveRequest, Scope } from "./governor-types";

/**
 * What arrives over RPC, checked at the class boundary: a caller built from another version of the code (during a
 * deploy) or a bug must not write a malformed value into a counter that outlives the request. Each schema is
 * typed by the contract it checks, so the two cannot drift apart; the checks are a few field tests per call.
 */

const count = z.number().finite();
const limit = count.nullable();

export const scopeInput: z.ZodType<Scope> = z.object({ kind: z.enum(["token", "user", "group", "login"]), id: z.string() });

export const limitsInput: z.ZodType<Limits> = z.object({
	rpm: limit,
	tpm: limit,
	maxConcurrency: limit,
	budgetDailyNusd: limit,
	budgetMonthlyNusd: limit,
	quotaNusd: limit,
});

export const reserveInput: z.ZodType<ReserveRequest> = z.object({
	requestId: z.string().min(1),
	scope: scopeInput,
	limits: limitsInput,
	tokens: count,
	costNusd: count,
	// Optional: a caller from before output grants (during a deploy) still reserves, uncapped.
	output: z.object({ tokens: count, minimum: count, baseNusd: count, nusdPerToken: count }).optional(),
	ttlMs: count,
});

export const actualInput: z.ZodType<Actual> = z.object({ tokens: count, costNusd: count });

export const requestIdInput = z.string().min(1);

export const channelIdInput = z.number().int();

const message = z.string();

/** A model name as a channel lists it (the channel API bounds them to 200 characters). */
export const modelInput = z.string().min(1).max(200);

const model = modelInput.optional();

export const outcomesInput: z.ZodType<AttemptOutcome[]> = z.array(
	z.discriminatedUnion("kind", [
		z.object({ kind: z.literal("success"), at: count, model }),
		z.object({ kind: z.literal("failure"), at: count, message, model }),
		z.object({ kind: z.literal("unreachable"), at: count, message, model }),
		// The key may not survive the trip when its value is undefined; the contract keeps it.
		z
			.object({ kind: z.literal("rate_limited"), at: count, retryAfterMs: count.optional(), message, model })
			.transform((o) => ({ ...o, retryAfterMs: o.retryAfterMs })),
		z.object({ kind: z.literal("fatal"), at: count, message, model }),
	]),
);

export const breakerConfigInput: z.ZodType<Partial<BreakerConfig>> = z.object({
	consecutiveFailures: count.optional(),
	errorRate: count.optional(),
	windowMs: count.optional(),
	minRequests: count.optional(),
	cooldownMs: count.optional(),
	maxCooldownMs: count.optional(),
	rateLimitCooldownMs: count.optional(),
	probeIntervalMs: count.optional(),
});

/** Why the health probes disabled a channel, as the health API and the notification show it. */
export const probeReason = z.string().min(1).max(500);

const tally = z.record(z.string().max(200), z.number().int().nonnegative());

export const observationsInput: z.ZodType<Observations> = z.object({
	keyId: z.number().int(),
	userId: z.number().int(),
	settings: z.object({
		policy: z.enum(["alert", "lock"]),
		learningRequests: count,
		learningHours: count,
		rateFactor: count,
		failureBurst: count,
	}),
	at: count,
	requests: z.number().int().nonnegative(),
	failures: z.number().int().nonnegative(),
	bytes: z.number().nonnegative(),
	families: tally,
	countries: tally,
	networks: tally,
});

export const authFailuresInput = z.object({
	address: z.string().min(1).max(64),
	n: z.number().int().positive().max(100_000),
	limit: z.number().int().positive(),
});
