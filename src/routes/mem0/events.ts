import { Hono } from "hono";
import { memoryOwner } from "../../auth/policy";
import type { AppEnv } from "../../env";
import { valid } from "../../lib/validate";
import { findEvent } from "../../memory/events";
import { eventView } from "../../memory/view";
import { eventParam } from "./mem0-schemas";

/** The ping the mem0ai client sends from its constructor, and the add events it polls; mounted at /mem0. */
export const mem0EventRoutes = new Hono<AppEnv>()
	// The client copies org_id and project_id into every later request when both are set; the gateway has neither.
	.get("/v1/ping/", (c) => c.json({ status: "ok", org_id: null, project_id: null, user_email: null }))
	.get("/v1/event/:event_id/", valid("param", eventParam), async (c) =>
		c.json(eventView(await findEvent(c.env, memoryOwner(c.get("caller")), c.req.valid("param").event_id))),
	);
