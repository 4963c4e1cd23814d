import { Hono } from "hono";
import { audit } from "../audit/record";
import { conversationOwner } from "../auth/policy";
import { toStoredItems } from "../conversations/items";
import {
	addItems,
	conversationView,
	createConversation,
	deleteConversation,
	deleteItem,
	findConversation,
	findItem,
	listItems,
	setMetadata,
} from "../conversations/store";
import type { AppEnv } from "../env";
import { listObject } from "../knowledge/pages";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import type { OperationDoc } from "../openapi/operation";
import { conversationCreate, conversationParam, conversationUpdate, ITEMS_MAX, itemCreate, itemCreateQuery, itemList, itemParam } from "./conversation-schemas";

/**
 * OpenAI's Conversations API, served by the gateway itself (mounted at /v1/conversations). Every conversation
 * belongs to the user of the key that made it; another user's conversation or item is 404, as if it did not exist.
 */
export const conversationRoutes = new Hono<AppEnv>()
	.use(callerAuth(), bodyLimit())
	.post("/", valid("json", conversationCreate), async (c) => {
		const body = c.req.valid("json");
		const items = toStoredItems(body.items ?? [], ITEMS_MAX);
		const conversation = await createConversation(c.env.DB, conversationOwner(c.get("caller")), body.metadata ?? null, items);
		return c.json(conversationView(conversation));
	})
	.get("/:conversation_id", valid("param", conversationParam), async (c) => {
		const conversation = await findConversation(c.env.DB, c.req.valid("param").conversation_id, conversationOwner(c.get("caller")));
		return c.json(conversationView(conversation));
	})
	.post("/:conversation_id", valid("param", conversationParam), valid("json", conversationUpdate), async (c) => {
		const conversation = await findConversation(c.env.DB, c.req.valid("param").conversation_id, conversationOwner(c.get("caller")));
		return c.json(conversationView(await setMetadata(c.env.DB, conversation, c.req.valid("json").metadata)));
	})
	.delete("/:conversation_id", valid("param", conversationParam), async (c) => {
		const conversation = await findConversation(c.env.DB, c.req.valid("param").conversation_id, conversationOwner(c.get("caller")));
		await deleteConversation(c.env.DB, conversation);
		audit(c, { action: "conversation.delete", objectType: "conversation", objectId: conversation.id });
		return c.json({ id: conversation.id, object: "conversation.deleted" as const, deleted: true });
	})
	.get("/:conversation_id/items", valid("param", conversationParam), valid("query", itemList), async (c) => {
		const conversation = await findConversation(c.env.DB, c.req.valid("param").conversation_id, conversationOwner(c.get("caller")));
		const page = await listItems(c.env.DB, conversation, c.req.valid("query"));
		return c.json(listObject(page.items, page.hasMore));
	})
	.post("/:conversation_id/items", valid("param", conversationParam), valid("query", itemCreateQuery), valid("json", itemCreate), async (c) => {
		const conversation = await findConversation(c.env.DB, c.req.valid("param").conversation_id, conversationOwner(c.get("caller")));
		const items = toStoredItems(c.req.valid("json").items, ITEMS_MAX);
		await addItems(c.env.DB, conversation, items);
		return c.json(
			listObject(
				items.map((i) => i.item),
				false,
			),
		);
	})
	.get("/:conversation_id/items/:item_id", valid("param", itemParam), async (c) => {
		const { conversation_id, item_id } = c.req.valid("param");
		const conversation = await findConversation(c.env.DB, conversation_id, conversationOwner(c.get("caller")));
		return c.json(await findItem(c.env.DB, conversation, item_id));
	})
	.delete("/:conversation_id/items/:item_id", valid("param", itemParam), async (c) => {
		const { conversation_id, item_id } = c.req.valid("param");
		const conversation = await findConversation(c.env.DB, conversation_id, conversationOwner(c.get("caller")));
		await deleteItem(c.env.DB, conversation, item_id);
		return c.json(conversationView(conversation));
	});

const conversation = "/v1/conversations/{conversation_id}";
const doc = (method: OperationDoc["method"], path: string, summary: string, extra: Partial<OperationDoc> = {}): OperationDoc => ({
	method,
	path,
	summary,
	tag: "Conversations",
	auth: "key",
	errors: [404],
	...extra,
});

export const conversationDocs: OperationDoc[] = [
	doc("post", "/v1/conversations", "Create a conversation, with up to 20 first items", { body: conversationCreate, errors: [400] }),
	doc("get", conversation, "Retrieve a conversation"),
	doc("post", conversation, "Replace a conversation's metadata", { body: conversationUpdate, errors: [400, 404] }),
	doc("delete", conversation, "Delete a conversation and its items"),
	doc("get", `${conversation}/items`, "List a conversation's items", { query: itemList, errors: [400, 404] }),
	doc("post", `${conversation}/items`, "Add up to 20 items to a conversation", { body: itemCreate, errors: [400, 404] }),
	doc("get", `${conversation}/items/{item_id}`, "Retrieve an item of a conversation"),
	doc("delete", `${conversation}/items/{item_id}`, "Delete an item of a conversation; returns the conversation"),
];
