import type { Observations } from "../../durable-objects/anomaly-types";
import { modelFamily } from "../../durable-objects/anomaly-types";
import { scopeName } from "../../durable-objects/governor-types";
import type { CallerKey } from "../types/caller";
import { forgetCallers } from "./callers";

/** One relay request as anomaly detection sees it. */
export interface Sighting {
	/** Absent when the request named none (it failed before). */
	model: string | undefined;
	failed: boolean;
	bytes: number;
	/** From `request.cf`; absent where the runtime gives none (local development). */
	country: string | undefined;
	asn: number | undefined;
}

/** A key's observations wait this long in the isolate: at most one call to its governor per key per second per isolate. */
const SEND_EVERY_MS = 1_000;
/** Keys pending at once in one isolate; past this, a new key's sightings are dropped until the next send (profiles are best-effort). */
const MAX_KEYS = 2_000;
/** Distinct values per dimension in one batch: a flood of made-up values must not grow a batch without bound. */
const MAX_VALUES = 50;
const ROUNDS = 5;

const pending = new Map<number, Observations>();
let scheduled: Promise<void> | undefined;
let warned = false;

function tally(t: Record<string, number>, value: string | undefined): void {
	if (value === undefined) return;
	const n = t[value];
	if (n !== undefined) t[value] = n + 1;
	else if (Object.keys(t).length < MAX_VALUES) t[value] = 1;
}

/**
 * Counts a request of a tracked key in this isolate (a map update: the cost per request) and makes sure a send is
 * scheduled after the response. A key whose policy is off is not counted at all.
 */
export function watch(env: Env, waitUntil: (p: Promise<unknown>) => void, caller: CallerKey, s: Sighting, now = Date.now()): void {
	const settings = caller.anomaly;
	if (!settings) return;
	let obs = pending.get(caller.keyId);
	if (!obs) {
		if (pending.size >= MAX_KEYS) return;
		obs = { keyId: caller.keyId, userId: caller.userId, settings, at: now, requests: 0, failures: 0, bytes: 0, families: {}, countries: {}, networks: {} };
		pending.set(caller.keyId, obs);
	}
	obs.at = now;
	obs.requests++;
	if (s.failed) obs.failures++;
	obs.bytes += s.bytes;
	tally(obs.families, s.model === undefined ? undefined : modelFamily(s.model));
	tally(obs.countries, s.country);
	tally(obs.networks, s.asn === undefined ? undefined : String(s.asn));
	schedule(env, waitUntil);
}

function schedule(env: Env, waitUntil: (p: Promise<unknown>) => void): void {
	if (scheduled) return;
	scheduled = (async () => {
		for (let round = 0; round < ROUNDS && pending.size > 0; round++) {
			await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS));
			await sendPending(env);
		}
	})().finally(() => {
		scheduled = undefined;
	});
	waitUntil(scheduled);
}

/** Sends each key's observations to its governor; a key it locked is forgotten here at once. Lost sends are only logged. */
async function sendPending(env: Env): Promise<void> {
	const batches = [...pending.values()];
	pending.clear();
	const verdicts = await Promise.all(
		batches.map(async (obs) => {
			try {
				return await env.KEY_GOVERNOR.getByName(scopeName({ kind: "token", id: String(obs.keyId) })).observe(obs);
			} catch (err) {
				if (!warned) console.error(JSON.stringify({ level: "warn", event: "anomaly.send_failed", error: String(err) }));
				warned = true;
				return undefined;
			}
		}),
	);
	if (verdicts.some((v) => v?.locked)) forgetCallers();
}
