import { consumeUsage } from "../queues/usage-consumer";
import { app } from "./app";

export default {
	fetch: app.fetch,
	queue: consumeUsage,
} satisfies ExportedHandler<Env>;
