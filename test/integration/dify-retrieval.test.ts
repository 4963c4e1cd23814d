import { beforeAll, describe, expect, it } from "vitest";
import { appWithKey } from "../support/apps";
import { type DifyEvent, dify, difyEvents, userWithKey } from "../support/dify";
import { createChannel, uid, upstream, upstreamLog } from "../support/gateway";
import { storeWith, upload } from "../support/knowledge";

describe("an app's retrieval over its vector stores", () => {
	const tag = `difyr-${uid()}`;
	const model = `difyr-model-${uid()}`;
	let key: string;
	let storeId: string;
	let fileId: string;
	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		const owner = await userWithKey();
		fileId = await upload(owner.key, "breakers.md", "# Circuit breakers\n\nA channel's circuit breaker opens after five failures in a row.");
		const other = await upload(owner.key, "billing.md", "# Billing\n\nTop-ups raise a balance; every request is charged once.");
		storeId = await storeWith(owner.key, [fileId, other]);
		({ key } = await appWithKey(owner.userId, { model, vector_store_ids: [storeId], retrieval_top_k: 1 }));
	});

	it("gives the model the top excerpts and cites them as Dify's retriever_resources, in message_end and in the messages list", async () => {
		const res = await dify(key, "POST", "/chat-messages", { inputs: {}, query: "When does a circuit breaker open?", user: "u1", response_mode: "streaming" });
		const end = difyEvents(await res.text()).at(-1) as DifyEvent;
		expect(end.event).toBe("message_end");
		expect(end.metadata?.retriever_resources).toEqual([
			{
				position: 1,
				dataset_id: storeId,
				dataset_name: expect.any(String),
				document_id: fileId,
				document_name: "breakers.md",
				segment_id: expect.any(String),
				score: expect.any(Number),
				content: expect.stringContaining("opens after five failures"),
			},
		]);
		const sent = (await upstreamLog(tag)).at(-1)?.body as { messages: { role: string; content: string }[] };
		expect(sent.messages.map((m) => m.role)).toEqual(["system", "user"]);
		expect(sent.messages[0]?.content).toContain("opens after five failures");

		const list = await dify(key, "GET", `/messages?user=u1&conversation_id=${end.conversation_id}`);
		expect(await list.json()).toMatchObject({ data: [{ retriever_resources: end.metadata?.retriever_resources }] });
		expect(await (await dify(key, "GET", "/parameters")).json()).toMatchObject({ retriever_resource: { enabled: true } });
	});
});
