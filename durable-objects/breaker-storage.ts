import { z } from "zod";
import type { Breakers } from "./breaker-scope";
import type { BreakerRecord } from "./breaker-state";
import type { BreakerConfig } from "./breaker-types";

/** Everything one breaker keeps: which channel it guards (for the probe alarm), its last config, and its records. */
export interface StoredBreaker {
	channelId: number | null;
	config: BreakerConfig;
	breakers: Breakers;
}

const KEY = "breaker";
// Bump when the shape changes; a record of an unknown version is read as absent (see load).
const VERSION = 2;

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
	// Version 1 records predate it: their opening is read as caused by failures, the cautious answer.
	openedBy: z.enum(["rate_limit", "failures"]).nullable().optional(),
	trialAt: time.nullable(),
	consecutiveFailures: count,
	buckets: z.array(z.tuple([time, count, count])),
	openings: count,
	lastError: z.string().nullable(),
	lastErrorAt: time.nullable(),
	disabledReason: z.string().nullable(),
	// Absent from records written before the active health checks, and from every other state.
	disabledBy: z.literal("probes").optional(),
	nextProbeAt: time.nullable(),
	updatedAt: time,
});

const record = recordSchema.transform(
	(r): BreakerRecord => ({ ...r, openedBy: r.openedBy ?? (r.state === "open" || r.state === "half_open" ? "failures" : null) }),
);

const common = { channelId: z.number().int().nullable(), config: configSchema, breaker: record };

const storedSchema = z.union([
	z.object({ v: z.literal(VERSION), ...common, models: z.array(z.tuple([z.string(), record])) }),
	// Before breakers per model: the channel's record alone.
	z.object({ v: z.literal(1), ...common }),
]);

/**
 * The stored breaker, or undefined for a new one. A record this build cannot read also starts afresh: a breaker
 * is recent health, which the next few requests rebuild, and failing every call on it would be worse.
 */
export function load(kv: SyncKvStorage): StoredBreaker | undefined {
	const parsed = storedSchema.safeParse(kv.get(KEY));
	if (!parsed.success) return undefined;
	const { channelId, config, breaker } = parsed.data;
	const models = new Map(parsed.data.v === VERSION ? parsed.data.models : []);
	return { channelId, config, breakers: { channel: breaker, models } };
}

/** Synchronous: the write is in place before any other call reaches the object, and the output gate holds replies until it is durable. */
export function save(kv: SyncKvStorage, { channelId, config, breakers }: StoredBreaker): void {
	kv.put(KEY, { v: VERSION, channelId, config, breaker: breakers.channel, models: [...breakers.models] });
}
