/** The API's row shapes that several pages read; a shape only one page reads stays with that page. */

/** One page of a cursor-paginated list. */
export interface Page<T> {
	data: T[];
	next_cursor: string | null;
}

/** A user, as GET /api/users lists them. */
export interface User {
	id: number;
	name: string;
	email: string | null;
	role: "admin" | "user";
	balance_usd: number;
}

/** A key's limits; null is no limit. */
export interface Limits {
	rpm: number | null;
	tpm: number | null;
	max_concurrency: number | null;
	budget_daily_usd: number | null;
	budget_monthly_usd: number | null;
	quota_usd: number | null;
}

/**
 * The limits the operator set on a key, with the operator's values; only those present were set. The key's user
 * may tighten them (or set them back up to these values), never loosen or clear them; the others are the user's own.
 */
export interface OperatorLimits {
	rpm?: number;
	tpm?: number;
	max_concurrency?: number;
	budget_daily_usd?: number;
	budget_monthly_usd?: number;
	quota_usd?: number;
	models?: string[];
	expires_at?: string;
}

/** A gateway key, as GET /api/tokens lists them (without the secret). */
/** The response cache of a key or an app (`cache`): answers served again instead of calling an upstream. */
export interface CacheSettings {
	mode: "exact" | "semantic";
	ttl_seconds: number;
	/** The least similarity of a semantic hit. */
	threshold: number;
	semantic_any: boolean;
}

export interface Token extends Limits {
	id: number;
	user_id: number;
	name: string;
	key_prefix: string;
	/** "locked": by anomaly detection or a leak report; its owner or the operator unlocks it (status "active"). */
	status: "active" | "disabled" | "locked";
	/** Why the key is locked; null while it is not. */
	locked_reason: string | null;
	locked_at: string | null;
	models: string[] | null;
	expires_at: string | null;
	/** Within KEY_EXPIRY_REMINDER_DAYS of its expiry. */
	expiring_soon: boolean;
	/** Renewed by the gateway before it expires (its secret unchanged). */
	auto_rotate: boolean;
	/** Lines of its batches run at once, as the operator set it; null: BATCH_CONCURRENCY. */
	batch_concurrency: number | null;
	/** The API surfaces it may call, within its user's; null: all of its user's. */
	scopes: string[] | null;
	tags: string[];
	/** CIDRs it may be used from; null: anywhere. */
	ip_allow: string[] | null;
	request_count: number;
	/** The secret a rotation replaced, while it still works, and until when. */
	previous_key_prefix: string | null;
	previous_key_expires_at: string | null;
	/** Chat that remembers: the end user's memories in the prompt (read), and each turn kept (read_write). */
	memory_mode: "off" | "read" | "read_write";
	/** A stream that breaks mid-way with only text in flight is continued on another channel. */
	stream_continuation: boolean;
	/** The response cache of its requests; null: off. */
	cache: CacheSettings | null;
	/** An app key's app: such a key works only at /dify/v1, so no page acts as it. */
	app_id: string | null;
	created_at: string;
	last_used_at: string | null;
	spent_usd: number;
	operator_limits: OperatorLimits;
}

/** An upstream channel, as GET /api/channels lists them. */
export interface Channel {
	id: number;
	name: string;
	type: string;
	base_url: string | null;
	key_masked: string | null;
	models: string[];
	groups: string[];
	priority: number;
	weight: number;
	status: "enabled" | "disabled";
}

export type BreakerState = "closed" | "open" | "half_open" | "disabled";

/** What opened a breaker: the upstream's rate limits (clients get 429) or failures (503). */
export type OpenedBy = "rate_limit" | "failures";

/** One breaker's state, a channel's own or one model's on it. */
interface BreakerRecord {
	state: BreakerState;
	retry_at: string | null;
	opened_by: OpenedBy | null;
	consecutive_failures: number;
	window: { requests: number; failures: number; error_rate: number; length_ms: number };
	openings: number;
	last_error: string | null;
	last_error_at: string | null;
	next_probe_at: string | null;
	updated_at: string;
}

/** One model's breaker on a channel: its 429, 404 and 5xx answers count here, not against the channel. */
export interface ModelHealth extends BreakerRecord {
	model: string;
}

/** A channel's circuit breaker (GET /api/channels/{id}/health): its own (host, credentials) and its models'. */
export interface ChannelHealth extends BreakerRecord {
	channel_id: number;
	disabled_reason: string | null;
	/** Models that have failed on the channel, by name. */
	models: ModelHealth[];
}

/** One entry of the audit log (GET /api/audit). */
export interface AuditEntry {
	id: string;
	at: string;
	actor_type: "operator" | "user" | "key" | "system";
	actor_id: number | null;
	user_id: number | null;
	action: string;
	object_type: string | null;
	object_id: string | null;
	/** {before, after} of what changed, and `detail`; secrets redacted. */
	diff: Record<string, unknown> | null;
	result: "success" | "failure" | "denied";
	ip: string | null;
	user_agent: string | null;
	request_id: string | null;
}

/** One request in the usage logs (GET /api/usage). */
export interface UsageRow {
	/** The gateway's id (the response's x-request-id). */
	request_id: string;
	/** The id the client sent (x-client-request-id), if any. */
	client_request_id: string | null;
	model: string;
	upstream_model: string | null;
	channel_id: number | null;
	token_id: number | null;
	user_id: number | null;
	prompt_tokens: number;
	completion_tokens: number;
	cached_tokens: number;
	cost_usd: number;
	/** Answered by the response cache; null: by an upstream. */
	cache_hit: "exact" | "semantic" | null;
	/** What a hit saved: the answer's cost less what it was charged. */
	saved_usd: number;
	/** Priced by a unit besides tokens (image:<size>:<quality>, audio_second, character), and how many. */
	unit: string | null;
	units: number;
	/** The batch the request was a line of. */
	batch_id: string | null;
	status: number;
	error_code: string | null;
	partial: boolean;
	estimated: boolean;
	stream: boolean;
	latency_ms: number;
	ttfb_ms: number | null;
	attempts: number;
	endpoint: string;
	created_at: string;
}

/** A model's price (GET /api/prices), in USD per million tokens. */
export interface Price {
	id: number;
	model: string;
	channel_id: number | null;
	input_usd_per_mtok: number;
	output_usd_per_mtok: number;
	cached_input_usd_per_mtok: number | null;
	cache_write_usd_per_mtok: number | null;
	request_usd: number;
	valid_from: string;
}

/** A chat app (Dify's /dify/v1), as GET /api/apps lists them: the Apps page edits them, the Chat page filters by them. */
export interface App {
	id: string;
	name: string;
	description: string;
	model: string;
	system_prompt: string;
	opening_statement: string;
	suggested_questions: string[];
	vector_store_ids: string[];
	retrieval_top_k: number;
	score_threshold: number | null;
	memory_mode: "off" | "read" | "read_write";
	owner_id: number;
	created_at: string;
	updated_at: string;
}
