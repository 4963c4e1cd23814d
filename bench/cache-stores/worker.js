// The Worker of `npm run bench:cache-stores`: one stored answer read back from each place the response cache could
// keep it (KV, the Workers Cache API, R2), read as the relay would, many times in a row and timed inside the Worker
// as a whole: the Worker's clock moves in whole milliseconds, so a mean over many reads is what it can measure.

export default {
	/** @param {Request} request @param {{ KV: KVNamespace; R2: R2Bucket }} env */
	async fetch(request, env) {
		const url = new URL(request.url);
		const bytes = Number(url.searchParams.get("bytes") ?? "4096");
		const reads = Number(url.searchParams.get("reads") ?? "200");
		const body = JSON.stringify({ answer: "x".repeat(bytes) });
		const key = `r1/u1/${crypto.randomUUID()}`;
		const cacheUrl = `https://cache.bench/${key}`;
		const cache = caches.default;
		await env.KV.put(key, body, { expirationTtl: 3600 });
		await env.R2.put(key, body);
		await cache.put(cacheUrl, new Response(body, { headers: { "cache-control": "max-age=3600" } }));
		/** @param {() => Promise<string | undefined>} read */
		const timed = async (read) => {
			for (let i = 0; i < 10; i++) await read();
			const t0 = performance.now();
			for (let i = 0; i < reads; i++) {
				const text = await read();
				if (text?.length !== body.length) throw new Error("read back something else");
			}
			return { meanMs: (performance.now() - t0) / reads };
		};
		const rows = {
			kv: await timed(async () => (await env.KV.get(key, "text")) ?? undefined),
			cache: await timed(async () => (await (await cache.match(cacheUrl))?.text()) ?? undefined),
			r2: await timed(async () => (await (await env.R2.get(key))?.text()) ?? undefined),
		};
		return Response.json(rows);
	},
};
