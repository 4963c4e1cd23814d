import { eq } from "drizzle-orm";
import { db } from "../db/client";
import { type ChannelRow, channels } from "../db/schema";
import { decryptSecret, type EncryptionKeys } from "../lib/crypto";
import { TtlCache } from "../lib/ttl-cache";
import { type ChannelType, isChannelType } from "../providers/registry";
import type { Target } from "../providers/types";

/** An enabled channel as the relay sees it: parsed once per cache fill, not per request. */
export interface LiveChannel {
	id: number;
	name: string;
	type: ChannelType;
	baseUrl: string | undefined;
	keyCiphertext: string | undefined;
	models: ReadonlySet<string>;
	modelMapping: Readonly<Record<string, string>>;
	groups: ReadonlySet<string>;
	priority: number;
	weight: number;
	settings: Record<string, unknown>;
}

/** The enabled channels, and the same indexed by model so that picking candidates does not scan them all. */
export interface ChannelSet {
	all: readonly LiveChannel[];
	byModel: ReadonlyMap<string, readonly LiveChannel[]>;
}

const enabled = new TtlCache<"enabled", ChannelSet>("channels", 10_000);
const plainKeys = new Map<string, Promise<string>>();

/** Called by the admin API after any change to channels. */
export function forgetChannels(): void {
	enabled.clear();
	plainKeys.clear();
}

export async function enabledChannels(env: Env): Promise<ChannelSet> {
	const hit = enabled.get("enabled");
	if (hit) return hit;
	const rows = await db(env).select().from(channels).where(eq(channels.status, "enabled"));
	const set = indexChannels(rows.map(toLive).filter((ch) => ch !== undefined));
	enabled.set("enabled", set);
	return set;
}

export function indexChannels(all: readonly LiveChannel[]): ChannelSet {
	const byModel = new Map<string, LiveChannel[]>();
	for (const ch of all) {
		for (const model of ch.models) {
			const list = byModel.get(model);
			if (list) list.push(ch);
			else byModel.set(model, [ch]);
		}
	}
	return { all, byModel };
}

/** A type this build does not know (e.g. after a rollback) yields undefined rather than failing every request. */
export function toLive(row: ChannelRow): LiveChannel | undefined {
	if (!isChannelType(row.type)) return undefined;
	return {
		id: row.id,
		name: row.name,
		type: row.type,
		baseUrl: row.baseUrl ?? undefined,
		keyCiphertext: row.keyCiphertext ?? undefined,
		models: new Set(row.models),
		modelMapping: row.modelMapping,
		groups: new Set(row.groups),
		priority: row.priority,
		weight: row.weight,
		settings: row.settings,
	};
}

export function servable(set: ChannelSet, model: string, group: string): LiveChannel[] {
	return (set.byModel.get(model) ?? []).filter((ch) => ch.groups.has(group));
}

/** The models a caller's group can reach, for /v1/models. */
export function modelsForGroup(all: readonly LiveChannel[], group: string): string[] {
	const names = new Set<string>();
	for (const ch of all) if (ch.groups.has(group)) for (const m of ch.models) names.add(m);
	return [...names].sort();
}

/** Decrypts a channel's upstream key once per isolate; the plaintext lives only in memory. */
function channelKey(ch: LiveChannel, keys: EncryptionKeys): Promise<string | undefined> {
	if (!ch.keyCiphertext) return Promise.resolve(undefined);
	let key = plainKeys.get(ch.keyCiphertext);
	if (!key) {
		key = decryptSecret(ch.keyCiphertext, keys);
		plainKeys.set(ch.keyCiphertext, key);
		key.catch(() => plainKeys.delete(ch.keyCiphertext ?? ""));
	}
	return key;
}

/** The model name a channel knows a requested model by. */
export function upstreamModelFor(ch: LiveChannel, model: string): string {
	return ch.modelMapping[model] ?? model;
}

/** Everything a provider needs to call this channel for `model`. */
export async function targetFor(ch: LiveChannel, model: string, keys: EncryptionKeys): Promise<Target> {
	return {
		channelId: ch.id,
		baseUrl: ch.baseUrl,
		apiKey: await channelKey(ch, keys),
		upstreamModel: upstreamModelFor(ch, model),
		settings: ch.settings,
	};
}
