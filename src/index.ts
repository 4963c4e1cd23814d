import { consumeDeadLetters, isDeadLetterQueue } from "../queues/dead-letters";
import { jobQueueOf } from "../queues/job-queues";
import { consumeNotifications } from "../queues/notify-consumer";
import { runConsumer } from "../queues/run-consumer";
import { consumeUsage } from "../queues/usage-consumer";
import { app } from "./app";
import { consumeIngest } from "./knowledge/ingest";
import { consumeMemory } from "./memory/extract";
import { scheduled } from "./rollups/scheduled";

export { ChannelBreaker } from "../durable-objects/channel-breaker";
export { KeyGovernor } from "../durable-objects/key-governor";
export { LocalVectorIndex } from "../durable-objects/local-vector-index";

export default {
	fetch: app.fetch,
	queue(batch, env, ctx) {
		if (isDeadLetterQueue(batch.queue)) return consumeDeadLetters(batch, env);
		// Every consumer runs through runConsumer: pause and resume, and the counts of the Jobs view.
		const queue = jobQueueOf(batch.queue) ?? "usage";
		return runConsumer(queue, batch, env, (b) => {
			if (queue === "ingest") return consumeIngest(b, env, ctx);
			if (queue === "memory") return consumeMemory(b, env, ctx);
			return queue === "notify" ? consumeNotifications(b, env) : consumeUsage(b, env);
		});
	},
	scheduled,
} satisfies ExportedHandler<Env>;
