import { and, asc, gte, lt } from "drizzle-orm";
import { db } from "../db/client";
import { relayRefusals } from "../db/schema";
import { bucketStart } from "./buckets";

const UPSERT = `INSERT INTO relay_refusals (bucket_start, code, count) VALUES (?1, ?2, ?3)
	ON CONFLICT (bucket_start, code) DO UPDATE SET count = count + excluded.count`;

/**
 * Counts the relay requests refused before any key was accepted, which leave no usage row. They are counted in the
 * isolate and written as one upsert per hour and error code for everything counted within `lingerMs`: however many
 * arrive, an isolate writes D1 at most once per window, and the table grows by a row per hour and code at most.
 * The request that opens a window keeps its `waitUntil` on the write (as the usage batcher's opener does); an
 * isolate that dies inside a window loses that window's count, which is the price of a counter this cheap.
 */
export class RefusalCounter {
	#pending = new Map<string, { hour: number; code: string; count: number }>();
	#open = false;

	constructor(
		private readonly database: D1Database,
		private readonly lingerMs: number,
	) {}

	/** Resolves once the window's counts are written for the request that opened it, at once for the others. */
	count(code: string, at: number): Promise<void> {
		const hour = bucketStart("hour", at);
		const key = `${hour}:${code}`;
		const entry = this.#pending.get(key) ?? { hour, code, count: 0 };
		entry.count++;
		this.#pending.set(key, entry);
		if (this.#open) return Promise.resolve();
		this.#open = true;
		return new Promise<void>((resolve) => setTimeout(resolve, this.lingerMs)).then(() => this.#flush());
	}

	async #flush(): Promise<void> {
		const counts = [...this.#pending.values()];
		this.#pending.clear();
		this.#open = false;
		const upsert = this.database.prepare(UPSERT);
		try {
			await this.database.batch(counts.map((c) => upsert.bind(c.hour, c.code, c.count)));
		} catch (err) {
			// A metric, not money: logged with its counts, and not retried.
			console.error(JSON.stringify({ level: "warn", event: "relay_refusals_not_counted", error: String(err), counts }));
		}
	}
}

const counters = new WeakMap<D1Database, RefusalCounter>();

/** How long an isolate gathers refusals before writing them: short enough to ride on one request's waitUntil. */
const LINGER_MS = 2_000;

export function refusalCounter(database: D1Database): RefusalCounter {
	let counter = counters.get(database);
	if (!counter) {
		counter = new RefusalCounter(database, LINGER_MS);
		counters.set(database, counter);
	}
	return counter;
}

/** The counted refusals of the hours in [from, to), oldest first. */
export function refusalsBetween(env: Env, from: number, to: number) {
	return db(env)
		.select()
		.from(relayRefusals)
		.where(and(gte(relayRefusals.bucketStart, bucketStart("hour", from)), lt(relayRefusals.bucketStart, to)))
		.orderBy(asc(relayRefusals.bucketStart), asc(relayRefusals.code));
}
