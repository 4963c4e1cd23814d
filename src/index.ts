import { consumeDeadLetters, isDeadLetterQueue } from "../queues/dead-letters";
import { INGEST_QUEUE } from "../queues/ingest-message";
import { MEMORY_QUEUE } from "../queues/memory-message";
import { consumeNotifications } from "../queues/notify-consumer";
import { consumeUsage } from "../queues/usage-consumer";
import { app } from "./app";
import { consumeIngest } from "./knowledge/ingest";
import { consumeMemory } from "./memory/extract";
import { scheduled } from "./rollups/scheduled";

export { ChannelBreaker } from "../durable-objects/channel-breaker";
export { KeyGovernor } from "../durable-objects/key-governor";
export { LocalVectorIndex } from "../durable-objects/local-vector-index";
export { MetricsAggregator } from "../durable-objects/metrics-aggregator";

export default {
	fetch: app.fetch,
	queue(batch, env, ctx) {
		if (isDeadLetterQueue(batch.queue)) return consumeDeadLetters(batch, env);
		if (batch.queue === INGEST_QUEUE) return consumeIngest(batch, env, ctx);
		if (batch.queue === MEMORY_QUEUE) return consumeMemory(batch, env, ctx);
		return batch.queue === "edge-gateway-notify" ? consumeNotifications(batch, env) : consumeUsage(batch, env);
	},
	scheduled,
} satisfies ExportedHandler<Env>;
