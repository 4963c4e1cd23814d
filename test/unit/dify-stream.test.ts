import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UsageRecord } from "../../queues/usage-message";
import { toStoredItem } from "../../src/conversations/items";
import { stopTurn } from "../../src/conversations/running-turns";
import { GatewayError } from "../../src/errors/gateway-error";
import { newId } from "../../src/protocols/responses/response";
import { UsageMeter } from "../../src/relay/meter";
import { streamingTurn, type TurnPlan } from "../../src/routes/shared/dify-answer";

const decoder = new TextDecoder();

function plan(): { plan: TurnPlan; sent: UsageRecord[] } {
	const sent: UsageRecord[] = [];
	const meter = new UsageMeter(crypto.randomUUID(), null, "/dify/v1/chat-messages", Date.now(), async (r) => {
		sent.push(r);
	});
	const conversationId = newId("conv");
	const scope = { ownerId: 1, appId: `app-${crypto.randomUUID()}`, endUser: "u1" };
	return {
		sent,
		plan: {
			ids: { taskId: crypto.randomUUID(), messageId: crypto.randomUUID(), conversationId, createdAt: 1 },
			scope,
			newConversation: { id: conversationId, scope, keyId: 1, name: "Slow", inputs: {} },
			userItem: toStoredItem({ type: "message", role: "user", content: "Slow?" }, "query"),
			resources: [],
			meter,
			group: "default",
			env,
			waitUntil: () => {},
		},
	};
}

/** Reads a stream's frames until it ends. */
async function frames(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string[]> {
	let raw = "";
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return raw.split("\n\n").filter(Boolean);
		raw += decoder.decode(value, { stream: true });
	}
}

const sse = (...chunks: unknown[]) =>
	new Response(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n`, { headers: { "content-type": "text/event-stream" } });

describe("streamingTurn: a Dify stream hears from the gateway before a slow model answers", () => {
	it("commits to the stream with a ping while the model is silent, then streams its answer", async () => {
		const { plan: p } = plan();
		const answered = Promise.withResolvers<Response>();
		const res = await streamingTurn(p, answered.promise, 1);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("text/event-stream");
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		// The model has not answered, yet the client already has a frame.
		expect(decoder.decode((await reader.read()).value)).toBe("event: ping\n\n");
		expect(p.meter.deferred).toBe(true);
		answered.resolve(sse({ choices: [{ delta: { content: "Late " } }] }, { choices: [{ delta: { content: "answer" } }] }));
		// The relay records a stream when it ends; here, at once.
		await p.meter.record({ status: 200 });
		const rest = (await frames(reader)).map((f) => (f.startsWith("data: ") ? JSON.parse(f.slice(6)) : f));
		expect(rest.filter((e) => e.event === "message").map((e) => e.answer)).toEqual(["Late ", "answer"]);
		expect(rest.at(-1)).toMatchObject({ event: "message_end", conversation_id: p.ids.conversationId });
		const turn = await env.DB.prepare("SELECT status FROM conversation_turns WHERE id = ?").bind(p.ids.messageId).first();
		expect(turn).toEqual({ status: "completed" });
	});

	it("reports a failure after the stream began as Dify's error event, records it, and keeps the turn as failed", async () => {
		const { plan: p, sent } = plan();
		const answered = Promise.withResolvers<Response>();
		const res = await streamingTurn(p, answered.promise, 1);
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		expect(decoder.decode((await reader.read()).value)).toBe("event: ping\n\n");
		answered.reject(new GatewayError("upstream_timeout", "The upstream did not answer in time"));
		const rest = await frames(reader);
		expect(JSON.parse(rest.at(-1)?.slice(6) ?? "")).toEqual({
			event: "error",
			task_id: p.ids.taskId,
			message_id: p.ids.messageId,
			conversation_id: p.ids.conversationId,
			status: 504,
			code: "gateway_timeout",
			message: "The upstream did not answer in time",
		});
		expect(sent).toMatchObject([{ status: 504, error_code: "upstream_timeout" }]);
		const turn = await env.DB.prepare("SELECT status FROM conversation_turns WHERE id = ?").bind(p.ids.messageId).first();
		expect(turn).toEqual({ status: "failed" });
	});

	it("records a relay that fails after the answer was stopped before the model spoke", async () => {
		const { plan: p, sent } = plan();
		const answered = Promise.withResolvers<Response>();
		let waited: Promise<unknown> = Promise.resolve();
		p.waitUntil = (work) => {
			waited = Promise.all([waited, work]);
		};
		const res = await streamingTurn(p, answered.promise, 1);
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		expect(decoder.decode((await reader.read()).value)).toBe("event: ping\n\n");
		await stopTurn(p.ids.taskId, p.scope);
		const rest = await frames(reader);
		expect(JSON.parse(rest.at(-1)?.slice(6) ?? "")).toMatchObject({ event: "message_end" });
		answered.reject(new GatewayError("upstream_unavailable", "No channel answered"));
		await waited;
		expect(sent).toMatchObject([{ status: 503, error_code: "upstream_unavailable" }]);
	});

	it("leaves a failure before the stream began to the route, as an HTTP error", async () => {
		const { plan: p } = plan();
		const failed = Promise.reject(new GatewayError("rate_limited", "Too many requests"));
		await expect(streamingTurn(p, failed, 60_000)).rejects.toMatchObject({ code: "rate_limited" });
		expect(p.meter.deferred).toBe(false);
	});
});
