import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { REDACTED } from "../audit/redact";
import { currentPrices, unpricedOn } from "../billing/price-book";
import { forgetChannels, toLive } from "../channels/live";
import { testChannel } from "../channels/test-request";
import { db } from "../db/client";
import { type ChannelRow, channels } from "../db/schema";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { encryptSecret, maskSecret } from "../lib/crypto";
import { isUniqueViolation } from "../lib/sql-errors";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { channelTypes, providers } from "../providers/registry";
import type { Provider } from "../providers/types";
import { breakerConfig, observe } from "../relay/breakers";
import { channelCreate, channelList, channelPatch, channelTestQuery, channelTestResult, channelTypeList, channelView } from "./channel-schemas";
import { findChannel } from "./shared/find";
import { idParam } from "./shared/params";

/** A channel as its audit entries show it: never its key, only that it changed (`key: "[redacted]"` on both sides). */
function auditView(row: ChannelRow, keyChanged = false): Record<string, unknown> {
	const { key_masked, created_at, updated_at, ...shown } = view(row);
	return keyChanged ? { ...shown, key: REDACTED } : shown;
}

function view(row: ChannelRow): z.infer<typeof channelView> {
	return {
		id: row.id,
		name: row.name,
		type: row.type,
		base_url: row.baseUrl,
		key_masked: row.keyHint,
		models: row.models,
		model_mapping: row.modelMapping,
		groups: row.groups,
		priority: row.priority,
		weight: row.weight,
		status: row.status,
		settings: row.settings,
		created_at: new Date(row.createdAt).toISOString(),
		updated_at: new Date(row.updatedAt).toISOString(),
	};
}

type Input = z.infer<typeof channelPatch>;

/** Maps API fields to columns; the key is encrypted here and only its mask is kept in clear. */
async function columns(input: Input, encryptionKey: string): Promise<Partial<typeof channels.$inferInsert>> {
	const out: Partial<typeof channels.$inferInsert> = {};
	if (input.name !== undefined) out.name = input.name;
	if (input.type !== undefined) out.type = input.type;
	if (input.base_url !== undefined) out.baseUrl = input.base_url;
	if (input.key !== undefined) {
		out.keyCiphertext = input.key === null ? null : await encryptSecret(input.key, encryptionKey);
		out.keyHint = input.key === null ? null : maskSecret(input.key);
	}
	if (input.models !== undefined) out.models = input.models;
	if (input.model_mapping !== undefined) out.modelMapping = input.model_mapping;
	if (input.groups !== undefined) out.groups = input.groups;
	if (input.priority !== undefined) out.priority = input.priority;
	if (input.weight !== undefined) out.weight = input.weight;
	if (input.status !== undefined) out.status = input.status;
	if (input.settings !== undefined) out.settings = input.settings;
	return out;
}

function conflict(name: string | undefined): GatewayError {
	return new GatewayError("conflict", `A channel named '${name ?? ""}' already exists`, { param: "name" });
}

export const channelRoutes = new Hono<AppEnv>()
	.get("/", async (c) => {
		const rows = await db(c.env).select().from(channels).orderBy(channels.id);
		return c.json({ data: rows.map(view) });
	})
	.get("/types", (c) =>
		c.json({
			data: channelTypes.map((type) => {
				const p: Provider = providers[type];
				return { type, wire: p.wire, operations: [...p.operations], default_base_url: p.defaultBaseUrl ?? null };
			}),
		}),
	)
	.post("/", valid("json", channelCreate), async (c) => {
		const input = c.req.valid("json");
		if (!input.base_url && (providers[input.type] as Provider).requiresBaseUrl) {
			throw new GatewayError("invalid_request", `'base_url' is required for channels of type ${input.type}`, { param: "base_url" });
		}
		try {
			const values = { ...(await columns(input, config(c.env).encryptionKey)), name: input.name, type: input.type, models: input.models };
			const [row] = await db(c.env).insert(channels).values(values).returning();
			forgetChannels();
			if (!row) throw new Error("insert returned no row");
			audit(c, { action: "channel.create", objectType: "channel", objectId: row.id, after: auditView(row, input.key != null) });
			return c.json(view(row), 201);
		} catch (err) {
			if (isUniqueViolation(err)) throw conflict(input.name);
			throw err;
		}
	})
	.get("/:id", valid("param", idParam), async (c) => c.json(view(await findChannel(c.env, c.req.valid("param").id))))
	.patch("/:id", valid("param", idParam), valid("json", channelPatch), async (c) => {
		const { id } = c.req.valid("param");
		const input = c.req.valid("json");
		const current = await findChannel(c.env, id);
		try {
			const [row] = await db(c.env)
				.update(channels)
				.set({ ...(await columns(input, config(c.env).encryptionKey)), updatedAt: Date.now() })
				.where(eq(channels.id, id))
				.returning();
			forgetChannels();
			if (!row) throw new GatewayError("not_found", `Channel ${id} does not exist`);
			audit(c, { action: "channel.update", objectType: "channel", objectId: id, before: auditView(current), after: auditView(row, input.key !== undefined) });
			if (input.settings !== undefined) {
				// New breaker settings (probes on or off, thresholds) take effect now, not at the next report.
				const live = toLive(row);
				if (live) observe(id, await c.env.CHANNEL_BREAKER.getByName(String(id)).configure(id, breakerConfig(live)));
			}
			return c.json(view(row));
		} catch (err) {
			if (isUniqueViolation(err)) throw conflict(input.name);
			throw err;
		}
	})
	.delete("/:id", valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		const current = await findChannel(c.env, id);
		await db(c.env).delete(channels).where(eq(channels.id, id));
		forgetChannels();
		audit(c, { action: "channel.delete", objectType: "channel", objectId: id, before: auditView(current) });
		return c.body(null, 204);
	})
	.post("/:id/test", valid("param", idParam), valid("query", channelTestQuery), async (c) => {
		const row = await findChannel(c.env, c.req.valid("param").id);
		const live = toLive(row);
		if (!live) throw new GatewayError("invalid_request", `Channel type '${row.type}' is not supported by this gateway`);
		const model = c.req.valid("query").model ?? row.models[0] ?? "";
		const cfg = config(c.env);
		const [outcome, book] = await Promise.all([testChannel(live, model, c.env, cfg, c.get("trace").traceparent), currentPrices(c.env)]);
		const result: z.infer<typeof channelTestResult> = {
			...outcome,
			unpriced_models: unpricedOn(book, row.id, row.models),
			unpriced_policy: cfg.allowUnpriced ? "free" : "refused",
		};
		return c.json(result);
	});

export const channelDocs: OperationDoc[] = [
	{ method: "get", path: "/api/channels", summary: "List channels", tag: "Channels", auth: "admin", response: channelList },
	{
		method: "get",
		path: "/api/channels/types",
		summary: "The channel types: the wire each speaks, what it serves, its default base URL",
		tag: "Channels",
		auth: "admin",
		response: channelTypeList,
	},
	{
		method: "post",
		path: "/api/channels",
		summary: "Create a channel",
		tag: "Channels",
		auth: "admin",
		body: channelCreate,
		response: channelView,
		errors: [201, 409],
	},
	{ method: "get", path: "/api/channels/{id}", summary: "Get a channel", tag: "Channels", auth: "admin", response: channelView, errors: [404] },
	{
		method: "patch",
		path: "/api/channels/{id}",
		summary: "Update a channel",
		tag: "Channels",
		auth: "admin",
		body: channelPatch,
		response: channelView,
		errors: [404, 409],
	},
	{ method: "delete", path: "/api/channels/{id}", summary: "Delete a channel", tag: "Channels", auth: "admin", errors: [204, 404] },
	{
		method: "post",
		path: "/api/channels/{id}/test",
		summary:
			"Send a tiny real request through the channel: the URL called, the upstream's status, latency and the start of its answer; and which of its models have no price",
		tag: "Channels",
		auth: "admin",
		query: channelTestQuery,
		response: channelTestResult,
		errors: [404],
	},
];
