import type { Context } from "hono";
import type { AppEnv } from "../../env";
import type { RelayRequest } from "../../relay/request";

/**
 * HTTP to the relay and back: the relay gets plain inputs from the request, and its answer goes out through Hono
 * (which adds the headers middleware set, such as x-request-id). Headers the relay had settled on before it failed
 * (rate limits once admitted, the channel once one answered) go out with the error response.
 */
export async function relayed(c: Context<AppEnv>, relay: (req: RelayRequest) => Promise<Response>): Promise<Response> {
	const responseHeaders = new Headers();
	const req: RelayRequest = {
		env: c.env,
		waitUntil: (work) => c.executionCtx.waitUntil(work),
		requestId: c.get("requestId"),
		signal: c.req.raw.signal,
		clientHeaders: c.req.raw.headers,
		trace: c.get("trace"),
		caller: c.get("caller"),
		meter: c.get("meter"),
		dialect: c.get("dialect") ?? "openai",
		responseHeaders,
	};
	try {
		const res = await relay(req);
		return c.newResponse(res.body, res);
	} catch (err) {
		for (const [name, value] of responseHeaders) c.header(name, value);
		throw err;
	}
}
