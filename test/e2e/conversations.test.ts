// The openai SDK's Conversations API against the gateway under wrangler dev, with the local D1.
import OpenAI, { NotFoundError } from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { userKey } from "./admin-api";

const gateway = inject("gatewayUrl");
const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway}/v1`, maxRetries: 0 });

let sdk: OpenAI;
let stranger: OpenAI;

beforeAll(async () => {
	sdk = client(await userKey("conv-e2e"));
	stranger = client(await userKey("conv-stranger"));
});

describe("the openai SDK's conversations against wrangler dev", () => {
	it("creates, retrieves, updates and deletes a conversation", async () => {
		const conv = await sdk.conversations.create({ metadata: { topic: "e2e" }, items: [{ role: "user", content: "Hello" }] });
		expect(conv.id).toMatch(/^conv_/);
		expect(conv.object).toBe("conversation");
		expect(await sdk.conversations.retrieve(conv.id)).toEqual(conv);

		const updated = await sdk.conversations.update(conv.id, { metadata: { topic: "changed" } });
		expect(updated.metadata).toEqual({ topic: "changed" });

		await expect(stranger.conversations.retrieve(conv.id)).rejects.toBeInstanceOf(NotFoundError);
		await expect(stranger.conversations.delete(conv.id)).rejects.toBeInstanceOf(NotFoundError);

		expect(await sdk.conversations.delete(conv.id)).toEqual({ id: conv.id, object: "conversation.deleted", deleted: true });
		await expect(sdk.conversations.retrieve(conv.id)).rejects.toBeInstanceOf(NotFoundError);
	});

	it("adds, lists with auto-pagination, retrieves and deletes items", async () => {
		const conv = await sdk.conversations.create();
		const added = await sdk.conversations.items.create(conv.id, {
			items: Array.from({ length: 5 }, (_, i) => ({ type: "message" as const, role: "user" as const, content: `turn ${i}` })),
		});
		expect(added.data).toHaveLength(5);

		const texts: string[] = [];
		for await (const item of sdk.conversations.items.list(conv.id, { limit: 2, order: "asc" })) {
			if (item.type === "message") for (const part of item.content) if ("text" in part) texts.push(part.text);
		}
		expect(texts).toEqual(["turn 0", "turn 1", "turn 2", "turn 3", "turn 4"]);

		const first = added.data[0];
		const id = first?.id;
		if (!id) throw new Error("no item");
		expect(await sdk.conversations.items.retrieve(id, { conversation_id: conv.id })).toEqual(first);
		await expect(stranger.conversations.items.retrieve(id, { conversation_id: conv.id })).rejects.toBeInstanceOf(NotFoundError);

		expect(await sdk.conversations.items.delete(id, { conversation_id: conv.id })).toEqual(conv);
		const left = await sdk.conversations.items.list(conv.id, { order: "asc" });
		expect(left.data.map((i) => i.id)).toEqual(added.data.slice(1).map((i) => i.id));
	});
});
