import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { db } from "../db/client";
import { alertFirings, alertRules } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { firingList, firingQuery, ruleCreate, ruleList, rulePatch, ruleView } from "./alert-schemas";
import { idParam } from "./shared/params";

type RuleRow = typeof alertRules.$inferSelect;

function view(row: RuleRow): z.infer<typeof ruleView> {
	return {
		id: row.id,
		name: row.name,
		metric: row.metric,
		scope: row.scope,
		subject: row.subject,
		threshold: row.threshold,
		window_minutes: row.windowMinutes,
		min_requests: row.minRequests,
		cooldown_minutes: row.cooldownMinutes,
		enabled: row.enabled,
		created_at: new Date(row.createdAt).toISOString(),
		updated_at: new Date(row.updatedAt).toISOString(),
	};
}

type RuleFields = Partial<z.infer<typeof rulePatch>>;

/** The columns a create or a patch sets; a rule that becomes "all" loses its subject. */
function columns(input: RuleFields) {
	return {
		name: input.name,
		metric: input.metric,
		scope: input.scope,
		subject: input.scope === "all" ? null : input.subject,
		threshold: input.threshold,
		windowMinutes: input.window_minutes,
		minRequests: input.min_requests,
		cooldownMinutes: input.cooldown_minutes,
		enabled: input.enabled,
	};
}

async function find(env: Env, id: number): Promise<RuleRow> {
	const [row] = await db(env).select().from(alertRules).where(eq(alertRules.id, id)).limit(1);
	if (!row) throw new GatewayError("not_found", `Alert rule ${id} does not exist`);
	return row;
}

/** Threshold rules over the usage logs, evaluated every minute (src/rollups/alerts.ts), and what they raised. */
export const alertRoutes = new Hono<AppEnv>()
	.get("/rules", async (c) => {
		const rows = await db(c.env).select().from(alertRules).orderBy(alertRules.id);
		return c.json({ data: rows.map(view) });
	})
	.post("/rules", valid("json", ruleCreate), async (c) => {
		const input = c.req.valid("json");
		const [row] = await db(c.env)
			.insert(alertRules)
			.values({ ...columns(input), name: input.name, metric: input.metric, threshold: input.threshold })
			.returning();
		if (!row) throw new Error("insert returned no row");
		audit(c, { action: "alert_rule.create", objectType: "alert_rule", objectId: row.id, after: view(row) });
		return c.json(view(row), 201);
	})
	.get("/rules/:id", valid("param", idParam), async (c) => c.json(view(await find(c.env, c.req.valid("param").id))))
	.patch("/rules/:id", valid("param", idParam), valid("json", rulePatch), async (c) => {
		const rule = await find(c.env, c.req.valid("param").id);
		const input = c.req.valid("json");
		const scope = input.scope ?? rule.scope;
		if (scope === "all" && input.subject)
			throw new GatewayError("invalid_request", "A rule over the whole gateway ('all') has no subject", { param: "subject" });
		const [row] = await db(c.env)
			.update(alertRules)
			.set({ ...columns({ ...input, scope }), updatedAt: Date.now() })
			.where(eq(alertRules.id, rule.id))
			.returning();
		if (row) audit(c, { action: "alert_rule.update", objectType: "alert_rule", objectId: rule.id, before: view(rule), after: view(row) });
		return c.json(view(row ?? rule));
	})
	// Its firings stay: the history names the rule by id.
	.delete("/rules/:id", valid("param", idParam), async (c) => {
		const gone = await db(c.env)
			.delete(alertRules)
			.where(eq(alertRules.id, c.req.valid("param").id))
			.returning();
		const [rule] = gone;
		if (!rule) throw new GatewayError("not_found", `Alert rule ${c.req.valid("param").id} does not exist`);
		audit(c, { action: "alert_rule.delete", objectType: "alert_rule", objectId: rule.id, before: view(rule) });
		return c.body(null, 204);
	})
	.get("/firings", valid("query", firingQuery), async (c) => {
		const q = c.req.valid("query");
		const rows = await db(c.env)
			.select({ firing: alertFirings, rule: alertRules.name })
			.from(alertFirings)
			.leftJoin(alertRules, eq(alertRules.id, alertFirings.ruleId))
			.where(q.rule_id === undefined ? undefined : eq(alertFirings.ruleId, q.rule_id))
			.orderBy(desc(alertFirings.id))
			.limit(q.limit);
		return c.json({
			data: rows.map(({ firing: f, rule }) => ({
				id: f.id,
				rule_id: f.ruleId,
				rule,
				subject: f.subject,
				value: f.value,
				threshold: f.threshold,
				requests: f.requests,
				created_at: new Date(f.createdAt).toISOString(),
			})),
		});
	});

export const alertDocs: OperationDoc[] = [
	{ method: "get", path: "/api/alerts/rules", summary: "The alert rules", tag: "Alerts", auth: "admin", response: ruleList },
	{
		method: "post",
		path: "/api/alerts/rules",
		summary: "Add an alert rule: a metric over a window of the usage logs, for the gateway or per model, channel or key",
		tag: "Alerts",
		auth: "admin",
		body: ruleCreate,
		response: ruleView,
		errors: [201],
	},
	{ method: "get", path: "/api/alerts/rules/{id}", summary: "One alert rule", tag: "Alerts", auth: "admin", response: ruleView, errors: [404] },
	{
		method: "patch",
		path: "/api/alerts/rules/{id}",
		summary: "Change an alert rule",
		tag: "Alerts",
		auth: "admin",
		body: rulePatch,
		response: ruleView,
		errors: [404],
	},
	{ method: "delete", path: "/api/alerts/rules/{id}", summary: "Remove an alert rule (its firings stay)", tag: "Alerts", auth: "admin", errors: [204, 404] },
	{
		method: "get",
		path: "/api/alerts/firings",
		summary: "The alerts raised, newest first",
		tag: "Alerts",
		auth: "admin",
		query: firingQuery,
		response: firingList,
	},
];
