// The Worker of `npm run bench:metrics`: one MetricsAggregator shard, flushed from inside the Worker as isolates flush
// it (one RPC per flush), `n` times with `concurrency` flushes in flight.
export { MetricsAggregator } from "../../durable-objects/metrics-aggregator.ts";

export default {
	/** @param {Request} request @param {{ METRICS_AGGREGATOR: DurableObjectNamespace<import("../../durable-objects/metrics-aggregator.ts").MetricsAggregator> }} env */
	async fetch(request, env) {
		const url = new URL(request.url);
		const stub = env.METRICS_AGGREGATOR.getByName(url.searchParams.get("shard") ?? "shard-0");
		const n = Number(url.searchParams.get("n"));
		const concurrency = Number(url.searchParams.get("concurrency"));
		const entries = await request.json();
		let next = 0;
		const worker = async () => {
			while (next < n) {
				next++;
				await stub.add(entries);
			}
		};
		await Promise.all(Array.from({ length: concurrency }, worker));
		return Response.json({ series: Object.keys(await stub.read()).length });
	},
};
