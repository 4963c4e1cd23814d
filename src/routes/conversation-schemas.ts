import { z } from "zod";

/** OpenAI's `metadata`: up to 16 string pairs, keys ≤ 64 and values ≤ 512 characters. */
const metadata = z
	.record(z.string().min(1).max(64), z.string().max(512))
	.refine((m) => Object.keys(m).length <= 16, "at most 16 metadata pairs")
	.nullable();

/** How many items one request may add, OpenAI's limit. */
export const ITEMS_MAX = 20;

// Each item is checked against its type's shape by src/conversations/items.ts, which names the item at fault.
const items = z.array(z.unknown());

const includable = z.enum([
	"file_search_call.results",
	"web_search_call.results",
	"web_search_call.action.sources",
	"message.input_image.image_url",
	"computer_call_output.output.image_url",
	"code_interpreter_call.outputs",
	"reasoning.encrypted_content",
	"message.output_text.logprobs",
]);
// Accepted as OpenAI names them; items are stored whole, so there is nothing extra to include.
const include = z.union([includable, z.array(includable)]).optional();

export const conversationCreate = z.object({ items: items.nullish(), metadata: metadata.optional() });
export const conversationUpdate = z.object({ metadata });
export const conversationParam = z.object({ conversation_id: z.string().min(1).max(100) });
export const itemParam = conversationParam.extend({ item_id: z.string().min(1).max(100) });
export const itemCreate = z.object({ items: items.min(1) });
export const itemCreateQuery = z.object({ include });
export const itemList = z.object({
	after: z.string().min(1).max(100).optional(),
	limit: z.coerce.number().int().min(1).max(100).default(20),
	order: z.enum(["asc", "desc"]).default("desc"),
	include,
});
