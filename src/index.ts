import { consumeDeadLetters, isDeadLetterQueue } from "../queues/dead-letters";
import { consumeUsage } from "../queues/usage-consumer";
import { app } from "./app";
import { scheduled } from "./rollups/scheduled";

export { ChannelBreaker } from "../durable-objects/channel-breaker";

export default {
	fetch: app.fetch,
	queue: (batch, env) => (isDeadLetterQueue(batch.queue) ? consumeDeadLetters(batch, env) : consumeUsage(batch, env)),
	scheduled,
} satisfies ExportedHandler<Env>;
