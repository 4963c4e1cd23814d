// The floor of the runtime: the least a relay can do. It checks one header, forwards the request with fetch,
// and streams the upstream's body back. The gateway is measured against this on the same launcher.
export default {
	/** @param {Request} request @param {{ UPSTREAM_URL: string, FLOOR_KEY: string }} env */
	async fetch(request, env) {
		if (request.headers.get("authorization") !== `Bearer ${env.FLOOR_KEY}`) return new Response("unauthorized", { status: 401 });
		const url = new URL(request.url);
		const upstream = await fetch(env.UPSTREAM_URL + url.pathname, {
			method: request.method,
			headers: { "content-type": "application/json" },
			body: request.body,
		});
		return new Response(upstream.body, { status: upstream.status, headers: { "content-type": upstream.headers.get("content-type") ?? "" } });
	},
};
