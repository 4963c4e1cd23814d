import type { Context } from "hono";
import type { AppEnv } from "../../env";
import type { MemoryContext } from "../../memory/vectors";

/** What the memory code needs of a /mem0 request: the caller's key (which embeds and pays) and the request's id. */
export function memoryContext(c: Context<AppEnv>): MemoryContext {
	return { env: c.env, waitUntil: (w) => c.executionCtx.waitUntil(w), caller: c.get("caller"), requestId: c.get("requestId"), trace: c.get("trace") };
}
