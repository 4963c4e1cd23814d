/**
 * What this isolate has seen of each (channel, model) for the routing policies: round robin's turns and the moving
 * average of answer times for lowest_latency. Per isolate on purpose: measuring costs nothing and needs no Durable
 * Object round trip; each isolate learns the latencies from its own traffic.
 */

// The weight of a new sample in the moving average: about the last five answers count.
const ALPHA = 0.3;
// A sample older than this is not trusted: the channel gets one request to be measured again.
const FRESH_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Sample {
	avgMs: number;
	at: number;
}

const latencies = new Map<string, Sample>();
const turns = new Map<string, number>();

/** Streamed and whole answers take very different times: they are averaged apart. */
const latencyKey = (channelId: number, model: string, stream: boolean) => `${channelId}\u0000${model}\u0000${stream ? "s" : "j"}`;

function bounded<V>(map: Map<string, V>, key: string, value: V): void {
	if (map.size >= MAX_ENTRIES && !map.has(key)) {
		const oldest = map.keys().next();
		if (!oldest.done) map.delete(oldest.value);
	}
	map.set(key, value);
}

/** One attempt's time until it answered (a stream: its headers; otherwise the whole answer). */
export function recordLatency(channelId: number, model: string, stream: boolean, ms: number, now = Date.now()): void {
	const key = latencyKey(channelId, model, stream);
	const prev = latencies.get(key);
	const avgMs = prev && now - prev.at < FRESH_MS ? prev.avgMs + ALPHA * (ms - prev.avgMs) : ms;
	bounded(latencies, key, { avgMs, at: now });
}

/** The moving average, or undefined when there is no fresh sample. */
export function latencyOf(channelId: number, model: string, stream: boolean, now = Date.now()): number | undefined {
	const sample = latencies.get(latencyKey(channelId, model, stream));
	return sample && now - sample.at < FRESH_MS ? sample.avgMs : undefined;
}

/** The next round-robin turn for a model (or alias leg). */
export function nextTurn(model: string): number {
	const turn = turns.get(model) ?? 0;
	bounded(turns, model, (turn + 1) % Number.MAX_SAFE_INTEGER);
	return turn;
}
