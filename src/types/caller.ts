import type { AnomalySettings } from "../../durable-objects/anomaly-types";
import type { Limits, Scope } from "../../durable-objects/governor-types";
import type { Cidr } from "../lib/cidr";
import type { CacheSettings } from "./cache-settings";
import type { KeyScope } from "./key-scope";

/** The caller of a relay route, resolved from its gateway key. */
export interface CallerKey {
	keyId: number;
	userId: number;
	group: string;
	/** null: every model the group can reach. */
	models: string[] | null;
	/** Chat that remembers (src/routes/shared/chat-memory.ts): off, read, or read_write. */
	memoryMode: "off" | "read" | "read_write";
	/** A stream of this key's that breaks mid-way is continued on another channel (unless the request says no). */
	streamContinuation: boolean;
	/** An app key's app (Dify's /dify/v1, the only place such a key works); null for an ordinary key. */
	appId: string | null;
	/** The key's, its user's and its group's limits, only those that have any: each is a governor to reserve with. */
	governed: { scope: Scope; limits: Limits }[];
	/** Anomaly detection's settings for this key; null when its policy is off (its requests are not profiled). */
	anomaly: AnomalySettings | null;
	/** The response cache for the key's chat requests (src/cache); null: off. An app key's app may set its own. */
	cache: CacheSettings | null;
	/** The surfaces the key may call: its own scopes within its user's (src/auth/scopes.ts). */
	scopes: readonly KeyScope[];
	/** Where the key may be used from; null: anywhere. */
	ipAllow: readonly Cidr[] | null;
}
