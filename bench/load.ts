// A closed-loop load generator: `connections` keep-alive connections, each sending its next request as soon
// as the previous one has been read in full. It records, per request, the time to the first body byte (for a
// stream: the first event) and to the end. wrk and autocannon report no time to first byte, hence this.
import { Agent, request } from "node:http";

export interface LoadSpec {
	url: string;
	headers: Record<string, string>;
	body: string;
	connections: number;
	durationMs: number;
	/** Upper bound on requests, whatever the duration. */
	maxRequests: number;
}

export interface LoadResult {
	requests: number;
	errors: number;
	firstError: string | undefined;
	elapsedMs: number;
	latencyMs: Float64Array;
	ttfbMs: Float64Array;
}

interface Sample {
	ok: boolean;
	error?: string;
	ttfb: number;
	total: number;
}

function once(agent: Agent, url: URL, spec: LoadSpec, body: Buffer): Promise<Sample> {
	return new Promise((resolve) => {
		const started = performance.now();
		let ttfb = -1;
		const req = request(url, { method: "POST", agent, headers: { ...spec.headers, "content-length": body.length } }, (res) => {
			const ok = res.statusCode === 200;
			let errorText = "";
			res.on("data", (part: Buffer) => {
				if (ttfb < 0) ttfb = performance.now() - started;
				if (!ok && errorText.length < 300) errorText += part.toString();
			});
			res.on("end", () => {
				const total = performance.now() - started;
				resolve(ok ? { ok, ttfb, total } : { ok, error: `${res.statusCode} ${errorText.slice(0, 300)}`, ttfb, total });
			});
			res.on("error", (err) => resolve({ ok: false, error: String(err), ttfb, total: performance.now() - started }));
		});
		req.on("error", (err) => resolve({ ok: false, error: String(err), ttfb, total: performance.now() - started }));
		req.end(body);
	});
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
	const url = new URL(spec.url);
	const body = Buffer.from(spec.body);
	const agent = new Agent({ keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections });
	const latency: number[] = [];
	const ttfb: number[] = [];
	let issued = 0;
	let errors = 0;
	let firstError: string | undefined;
	const started = performance.now();
	const until = started + spec.durationMs;

	async function connection() {
		while (performance.now() < until && issued < spec.maxRequests) {
			issued++;
			const sample = await once(agent, url, spec, body);
			if (sample.ok) {
				latency.push(sample.total);
				ttfb.push(sample.ttfb);
			} else {
				errors++;
				firstError ??= sample.error;
				// A refused connection fails at once; do not spin on it.
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
		}
	}

	await Promise.all(Array.from({ length: spec.connections }, connection));
	const elapsedMs = performance.now() - started;
	agent.destroy();
	return {
		requests: latency.length,
		errors,
		firstError,
		elapsedMs,
		latencyMs: Float64Array.from(latency).sort(),
		ttfbMs: Float64Array.from(ttfb).sort(),
	};
}

/** The q-quantile of sorted samples (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
	if (sorted.length === 0) return Number.NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
