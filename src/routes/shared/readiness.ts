import { z } from "zod";
import { usesVectorize, vectorizeBindings } from "../../knowledge/vector-index";
import { redactSecrets } from "../../lib/sanitize";

/** The instance each Durable Object namespace is pinged on: of its own, so no channel's or key's object is woken. */
const PING_NAME = "readyz";

/**
 * Each Durable Object namespace, pinged by a tiny RPC on a fixed instance. A new namespace is one line here (and a
 * `ping()` on its class).
 */
const DURABLE_OBJECTS = {
	CHANNEL_BREAKER: (env) => env.CHANNEL_BREAKER.getByName(PING_NAME).ping(),
	KEY_GOVERNOR: (env) => env.KEY_GOVERNOR.getByName(PING_NAME).ping(),
	LOCAL_VECTOR_INDEX: (env) => env.LOCAL_VECTOR_INDEX.getByName(PING_NAME).ping(),
	METRICS_AGGREGATOR: (env) => env.METRICS_AGGREGATOR.getByName(PING_NAME).ping(),
} satisfies Record<string, (env: Env) => Promise<unknown>>;

/** An object R2 is asked about: its absence is an answer as good as its presence. */
const R2_KEY = "health/readyz";

/** One binding's check, named as wrangler.toml binds it. */
type Check = [name: string, run: () => Promise<unknown>];

/** With VECTOR_INDEX "local" the index is LOCAL_VECTOR_INDEX, pinged with the Durable Objects; in production, each Vectorize index. */
function vectorIndexChecks(env: Env): Check[] {
	if (!usesVectorize(env)) return [];
	const bound = vectorizeBindings(env);
	if (bound.length === 0) return [["VECTORIZE", () => Promise.reject(new Error("VECTOR_INDEX is vectorize but no VECTORIZE_<dimensions> is bound"))]];
	return bound.map(([name, index]): Check => [name, () => index.describe()]);
}

function checksFor(env: Env): Check[] {
	return [
		["DB", () => env.DB.prepare("SELECT 1").first()],
		...Object.entries(DURABLE_OBJECTS).map(([name, ping]): Check => [name, () => ping(env)]),
		// Sending is all a producer does, so only a send proves it: one small message the consumer acknowledges without
		// writing anything (usage-message.ts readinessMessage). The usage queue carries every request's billing
		// record; the other producers share the Queues service, and each send is billed, so one queue is checked.
		["USAGE_QUEUE", () => env.USAGE_QUEUE.send({ readyz: true })],
		["FILES", () => env.FILES.head(R2_KEY)],
		...vectorIndexChecks(env),
	];
}

export const checkResult = z.object({
	ok: z.boolean(),
	latency_ms: z.number(),
	/** "timed out" or "failed": the cause is logged, never answered (the endpoint needs no credential). */
	error: z.enum(["timed out", "failed"]).optional(),
});

export const readiness = z.object({
	status: z.enum(["ok", "unavailable"]),
	checks: z.record(z.string(), checkResult),
});

export type Readiness = z.infer<typeof readiness>;

/** A check slower than this fails: a load balancer waits only so long. */
const CHECK_TIMEOUT_MS = 2_000;
/** Answers are reused this long per isolate, so a load balancer asking every few seconds costs a few calls a minute. */
const CACHE_MS = 5_000;

async function timed(name: string, run: () => Promise<unknown>): Promise<z.infer<typeof checkResult>> {
	const started = Date.now();
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<"timed out">((resolve) => {
		timer = setTimeout(() => resolve("timed out"), CHECK_TIMEOUT_MS);
	});
	try {
		const outcome = await Promise.race([run().then(() => "ok" as const), timeout]);
		if (outcome === "ok") return { ok: true, latency_ms: Date.now() - started };
		console.error(JSON.stringify({ level: "error", event: "readiness_check_failed", check: name, error: outcome }));
		return { ok: false, latency_ms: Date.now() - started, error: outcome };
	} catch (err) {
		console.error(JSON.stringify({ level: "error", event: "readiness_check_failed", check: name, error: redactSecrets(String(err)) }));
		return { ok: false, latency_ms: Date.now() - started, error: "failed" };
	} finally {
		if (timer !== undefined) clearTimeout(timer);
	}
}

async function check(env: Env): Promise<Readiness> {
	const list = checksFor(env);
	const results = await Promise.all(list.map(([name, run]) => timed(name, run)));
	const checks = Object.fromEntries(list.map(([name], i) => [name, results[i] ?? { ok: false, latency_ms: 0, error: "failed" as const }]));
	return { status: results.every((r) => r.ok) ? "ok" : "unavailable", checks };
}

// Keyed by the env object, which is fixed for an isolate's life: a caller with other bindings gets its own answer.
const recent = new WeakMap<Env, { at: number; answer: Promise<Readiness> }>();

/** Every binding the gateway needs, checked at once (concurrent callers share one round of checks). */
export function readinessOf(env: Env, now = Date.now()): Promise<Readiness> {
	const hit = recent.get(env);
	if (hit && now - hit.at < CACHE_MS) return hit.answer;
	const answer = check(env);
	recent.set(env, { at: now, answer });
	return answer;
}
