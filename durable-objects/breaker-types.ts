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

/**
 * What one attempt at the channel came to, as the relay reports it after the response. `model` is the model the
 * client asked for: an answer about it (429, 404, 5xx) counts against the (channel, model) pair and tells the
 * channel only that its host answered; without `model`, the outcome counts against the channel as a whole.
 */
export type AttemptOutcome = (
	| { kind: "success"; at: number }
	/** 5xx, 404 and other answers that concern the model: count toward opening its pair. */
	| { kind: "failure"; at: number; message: string }
	/** Connection refused or reset, TLS, no headers before the timeout: the host, so the whole channel. */
	| { kind: "unreachable"; at: number; message: string }
	/** 429: opens for the upstream's Retry-After (or the rate-limit cooldown), without growing the cooldown. */
	| { kind: "rate_limited"; at: number; retryAfterMs: number | undefined; message: string }
	/** 401/403/402, an account that cannot pay: the channel is disabled until an operator resets it. */
	| { kind: "fatal"; at: number; message: string }
) & { model?: string };

/** An outcome of a relayed request, which always names the model asked for. */
export type ModelOutcome = AttemptOutcome & { model: string };

/** Why a breaker is open: slowed down by the upstream's rate limits, or failing. Clients hear 429 for the one, 503 for the other. */
export type OpenedBy = "rate_limit" | "failures";

/** One breaker record (the channel's own, or one model's on the channel) as the relay caches it and the health API shows it. */
export interface RecordView {
	state: BreakerState;
	/** While open: when the next trial request (half-open) may go through, ms epoch. */
	retryAt: number | null;
	/** While open or half-open: what opened it. */
	openedBy: OpenedBy | null;
	consecutiveFailures: number;
	/** The attempts of the last `lengthMs` (the channel's `windowMs`): a sliding window, not a running total. */
	window: { requests: number; failures: number; errorRate: number; lengthMs: number };
	openings: number;
	lastError: string | null;
	lastErrorAt: number | null;
	/** Why it is disabled, when it is (only a channel is ever disabled). */
	disabledReason: string | null;
	nextProbeAt: number | null;
	updatedAt: number;
}

export interface ModelBreakerView extends RecordView {
	model: string;
}

/** The channel's breaker with the breakers of its models that have something to say (failed at least once), by model name. */
export interface BreakerView extends RecordView {
	models: ModelBreakerView[];
}
