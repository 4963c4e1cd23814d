import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import type { OperationDoc } from "../openapi/operation";
import { readiness, readinessOf } from "./shared/readiness";

export const liveness = z.object({ status: z.literal("ok") });

/**
 * For load balancers and orchestrators, without a credential (they have none), answering nothing sensitive:
 * /healthz says the Worker runs and touches no binding; /readyz checks every binding the gateway needs (shared/readiness.ts)
 * and answers 503 when one fails.
 */
export const healthRoutes = new Hono<AppEnv>()
	.get("/healthz", (c) => c.json({ status: "ok" } satisfies z.infer<typeof liveness>))
	.get("/readyz", async (c) => {
		const answer = await readinessOf(c.env);
		return c.json(answer, answer.status === "ok" ? 200 : 503);
	});

export const healthDocs: OperationDoc[] = [
	{ method: "get", path: "/healthz", summary: "Liveness: the Worker answers (no binding is touched)", tag: "Meta", auth: "none", response: liveness },
	{
		method: "get",
		path: "/readyz",
		summary:
			"Readiness: D1, each Durable Object namespace, the usage queue, R2 and the vector index, each with its latency; 503, with the same body, when one fails",
		tag: "Meta",
		auth: "none",
		response: readiness,
	},
];
