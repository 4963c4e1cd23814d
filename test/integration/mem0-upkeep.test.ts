import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { MemoryMessage } from "../../queues/memory-message";
import worker from "../../src";
import { recordEvent } from "../../src/memory/events";
import { memoryUpkeep } from "../../src/memory/upkeep";
import { call, createChannel } from "../support/gateway";
import { newOwner, type Owner, token } from "../support/mem0-api";

async function status(key: string, id: string): Promise<{ status: string; results: { data: { memory: string } }[] }> {
	const res = await call(`/mem0/v1/event/${id}/`, { headers: token(key) });
	expect(res.status).toBe(200);
	return res.json();
}

describe("memory extractions whose queue message was lost", () => {
	let user: Owner;

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-chat", "mock-embedding"] });
		user = await newOwner();
	});

	it("are sent again by the cron from the copy their event keeps, and extracted once", async () => {
		const message: MemoryMessage = {
			event_id: crypto.randomUUID(),
			owner_id: user.userId,
			key_id: user.keyId,
			messages: [{ role: "user", content: "I keep bees on my roof." }],
			entities: { user_id: "hal" },
			metadata: null,
		};
		// Recorded, never sent (the send failed), twenty minutes ago; another, recent, is still on its way.
		await recordEvent(env, user.userId, "PENDING", { message }, null, message.event_id);
		const now = Date.now();
		await env.DB.prepare("UPDATE memory_events SET updated_at = ? WHERE id = ?")
			.bind(now - 20 * 60_000, message.event_id)
			.run();
		const recent = { ...message, event_id: crypto.randomUUID() };
		await recordEvent(env, user.userId, "PENDING", { message: recent }, null, recent.event_id);

		expect(await memoryUpkeep(env, now)).toBe(1);
		// Not again within the next fifteen minutes: the consumer may simply not have got to it yet.
		expect(await memoryUpkeep(env, now)).toBe(0);

		const until = Date.now() + 20_000;
		let event = await status(user.key, message.event_id);
		while (event.status === "PENDING" || event.status === "RUNNING") {
			if (Date.now() > until) throw new Error("the re-sent extraction never finished");
			await new Promise((r) => setTimeout(r, 100));
			event = await status(user.key, message.event_id);
		}
		expect(event.status).toBe("SUCCEEDED");
		expect(event.results.map((r) => r.data.memory)).toEqual(["I keep bees on my roof."]);
		expect((await status(user.key, recent.event_id)).status).toBe("PENDING");
	});

	it("an add whose message cannot be queued answers an error and leaves its event FAILED, not PENDING for ever", async () => {
		const request = new Request("http://gateway.test/mem0/v3/memories/add/", {
			method: "POST",
			headers: token(user.key),
			body: JSON.stringify({ user_id: "ike", messages: [{ role: "user", content: "I play the oboe." }] }),
		});
		const ctx = createExecutionContext();
		const down = { send: () => Promise.reject(new Error("queue unavailable")), sendBatch: () => Promise.reject(new Error("queue unavailable")) };
		const res = await worker.fetch(request, { ...env, MEMORY_QUEUE: down as unknown as Queue }, ctx);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBeGreaterThanOrEqual(500);
		expect(await res.json()).toMatchObject({ detail: expect.any(String) });
		const row = await env.DB.prepare("SELECT status, error FROM memory_events WHERE owner_id = ? AND json_extract(payload, '$.user_id') = 'ike'")
			.bind(user.userId)
			.first<{ status: string; error: string }>();
		expect(row).toEqual({ status: "FAILED", error: "The extraction could not be queued" });
	});
});
