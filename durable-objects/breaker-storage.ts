import { z } from "zod";
import type { BreakerRecord } from "./breaker-state";
import type { BreakerConfig } from "./breaker-types";

/** Everything one breaker keeps: which channel it guards (for the probe alarm), its last config, and its state. */
export interface StoredBreaker {
	channelId: number | null;
	config: BreakerConfig;
	breaker: BreakerRecord;
}

const KEY = "breaker";
// Bump when the shape changes; a record of another version is read as absent (see load).
const VERSION = 1;

const count = z.number().int().nonnegative();
const time = z.number();

const configSchema = z.object({
	consecutiveFailures: z.number(),
	errorRate: z.number(),
	windowMs: z.number(),
	minRequests: z.number(),
	cooldownMs: z.number(),
	maxCooldownMs: z.number(),
	rateLimitCooldownMs: z.number(),
	probeIntervalMs: z.number(),
}) satisfies z.ZodType<BreakerConfig>;

const recordSchema = z.object({
	state: z.enum(["closed", "open", "half_open", "disabled"]),
	changedAt: time,
	retryAt: time.nullable(),
	trialAt: time.nullable(),
	consecutiveFailures: count,
	buckets: z.array(z.tuple([time, count, count])),
	openings: count,
	lastError: z.string().nullable(),
	lastErrorAt: time.nullable(),
	disabledReason: z.string().nullable(),
	nextProbeAt: time.nullable(),
	updatedAt: time,
}) satisfies z.ZodType<BreakerRecord>;

const storedSchema = z.object({ v: z.literal(VERSION), channelId: z.number().int().nullable(), config: configSchema, breaker: recordSchema });

/**
 * The stored breaker, or undefined for a new one. A record this build cannot read also starts afresh: a breaker
 * is recent health, which the next few requests rebuild, and failing every call on it would be worse.
 */
export function load(kv: SyncKvStorage): StoredBreaker | undefined {
	const parsed = storedSchema.safeParse(kv.get(KEY));
	return parsed.success ? parsed.data : undefined;
}

/** Synchronous: the write is in place before any other call reaches the object, and the output gate holds replies until it is durable. */
export function save(kv: SyncKvStorage, stored: StoredBreaker): void {
	kv.put(KEY, { v: VERSION, ...stored });
}
