import { consumeDeadLetters, isDeadLetterQueue } from "../queues/dead-letters";
import { jobQueueOf } from "../queues/job-queues";
import { consumeNotifications } from "../queues/notify-consumer";
import { runConsumer } from "../queues/run-consumer";
import { consumeUsage } from "../queues/usage-consumer";
import { app } from "./app";
import { consumeBatchWorkers } from "./batches/worker";
import { config } from "./env";
import { consumeIngest } from "./knowledge/ingest";
import { consumeMemory } from "./memory/extract";
import { metrics } from "./observability/metrics";
import { flushMetrics } from "./observability/metrics-flush";
import { scheduled } from "./rollups/scheduled";

export { ChannelBreaker } from "../durable-objects/channel-breaker";
export { KeyGovernor } from "../durable-objects/key-governor";
export { LocalVectorIndex } from "../durable-objects/local-vector-index";
export { MetricsAggregator } from "../durable-objects/metrics-aggregator";

function consume(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
	if (isDeadLetterQueue(batch.queue)) return consumeDeadLetters(batch, env);
	// Every consumer runs through runConsumer: pause and resume, and the counts of the Jobs view.
	const queue = jobQueueOf(batch.queue) ?? "usage";
	return runConsumer(queue, batch, env, (b) => {
		if (queue === "ingest") return consumeIngest(b, env, ctx);
		if (queue === "memory") return consumeMemory(b, env, ctx);
		// A batch line is a request to the gateway itself: the worker is handed the app's fetch handler.
		if (queue === "batch") return consumeBatchWorkers(b, env, ctx, app.fetch);
		return queue === "notify" ? consumeNotifications(b, env) : consumeUsage(b, env);
	});
}

export default {
	fetch: app.fetch,
	// A consumer's and the cron's counts are flushed when they end: no request follows them to do it.
	async queue(batch, env, ctx) {
		metrics.enabled = config(env).metrics;
		try {
			await consume(batch, env, ctx);
		} finally {
			await flushMetrics(env);
		}
	},
	async scheduled(controller, env) {
		metrics.enabled = config(env).metrics;
		try {
			await scheduled(controller, env);
		} finally {
			await flushMetrics(env);
		}
	},
} satisfies ExportedHandler<Env>;
