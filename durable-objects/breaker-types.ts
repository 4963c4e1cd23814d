/** The contract between the relay and a channel's circuit breaker (durable-objects/channel-breaker.ts). */

export type BreakerState = "closed" | "open" | "half_open" | "disabled";

/** Per-channel settings (channel `settings.breaker`), each optional; defaults in `BREAKER_DEFAULTS`. */
export interface BreakerConfig {
	/** Opens after this many failures in a row. */
	consecutiveFailures: number;
	/** …or when the failure rate over the window exceeds this, once the window holds `minRequests`. */
	errorRate: number;
	windowMs: number;
	minRequests: number;
	/** First cooldown; doubles on each reopening, up to `maxCooldownMs`. */
	cooldownMs: number;
	maxCooldownMs: number;
	/** Cooldown after a 429 when the upstream gives no Retry-After. */
	rateLimitCooldownMs: number;
	/** Active health probes while open, by alarm; 0 turns them off (probes cost money). */
	probeIntervalMs: number;
}

export const BREAKER_DEFAULTS: BreakerConfig = {
	consecutiveFailures: 5,
	errorRate: 0.5,
	windowMs: 60_000,
	minRequests: 20,
	cooldownMs: 15_000,
	maxCooldownMs: 300_000,
	rateLimitCooldownMs: 5_000,
	probeIntervalMs: 30_000,
};

/** What one attempt at the channel came to, as the relay reports it after the response. */
export type AttemptOutcome =
	| { kind: "success"; at: number }
	/** Connection error, timeout, 5xx: counts toward opening. */
	| { kind: "failure"; at: number; message: string }
	/** 429: opens for the upstream's Retry-After (or the rate-limit cooldown), without growing the cooldown. */
	| { kind: "rate_limited"; at: number; retryAfterMs: number | undefined; message: string }
	/** 401/403, insufficient_quota, "credit balance": disabled until an operator resets it. */
	| { kind: "fatal"; at: number; message: string };

/** The breaker as the relay caches it and as GET /api/channels/:id/health shows it. */
export interface BreakerView {
	state: BreakerState;
	/** While open: when the next trial request (half-open) may go through, ms epoch. */
	retryAt: number | null;
	consecutiveFailures: number;
	window: { requests: number; failures: number; errorRate: number };
	openings: number;
	lastError: string | null;
	lastErrorAt: number | null;
	/** Why it is disabled, when it is. */
	disabledReason: string | null;
	nextProbeAt: number | null;
	updatedAt: number;
}
