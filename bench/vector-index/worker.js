// The Worker of `npm run bench:vector`: the local vector index's Durable Object behind two routes, so that a query
// is timed as the gateway will make it (one RPC to the object), plus the loopback HTTP hop the baseline row measures.
export { LocalVectorIndex } from "../../durable-objects/local-vector-index.ts";

export default {
	/** @param {Request} request @param {{ LOCAL_VECTOR_INDEX: DurableObjectNamespace<import("../../durable-objects/local-vector-index.ts").LocalVectorIndex> }} env */
	async fetch(request, env) {
		const url = new URL(request.url);
		const stub = env.LOCAL_VECTOR_INDEX.getByName(url.searchParams.get("index") ?? "bench");
		const dims = Number(url.searchParams.get("dims"));
		const body = await request.json();
		if (url.pathname === "/upsert") return Response.json(await stub.upsert(dims, body));
		if (url.pathname === "/query") return Response.json(await stub.query(dims, body.vector, body.options));
		return new Response("not found", { status: 404 });
	},
};
