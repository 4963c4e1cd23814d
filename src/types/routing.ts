/**
 * How the channels of one model are ordered for a request (src/relay/policies.ts). Priority tiers always come first;
 * a policy orders the channels inside a tier.
 */
export const ROUTING_POLICIES = ["weighted", "round_robin", "least_errors", "lowest_latency", "consistent_hash"] as const;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

/**
 * What `consistent_hash` keeps on one channel: `user`, the end user the request names (OpenAI's and the Responses
 * API's `user`, Anthropic's `metadata.user_id`), or its API key when it names none; `key`, the API key.
 */
export const HASH_FIELDS = ["user", "key"] as const;
export type HashField = (typeof HASH_FIELDS)[number];
