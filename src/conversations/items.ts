import { type InputItem, invalid, readItem } from "../protocols/responses/input-items";
import { newId } from "../protocols/responses/response";

/** OpenAI's id prefix of each kind of item the gateway stores. */
const PREFIX = { message: "msg", function_call: "fc", function_call_output: "fco", reasoning: "rs" } as const;

/** An item as stored and returned: OpenAI's item object, with its id and status. */
export interface StoredItem {
	id: string;
	type: keyof typeof PREFIX;
	role: string | null;
	/** The item's JSON as OpenAI returns it, id included. */
	item: Record<string, unknown> & { id: string; type: string };
}

function kindOf(item: InputItem): keyof typeof PREFIX {
	return item.type ?? "message";
}

/**
 * An input item as a conversation keeps it (OpenAI's `conversations.items.create`): a new id, `status: completed`,
 * and a message's plain-string content as one text part, `output_text` from the assistant and `input_text` else.
 */
export function toStoredItem(raw: unknown, at: string): StoredItem {
	const input = readItem(raw, at);
	const type = kindOf(input);
	const id = newId(PREFIX[type]);
	if (input.type === undefined || input.type === "message") {
		const textType = input.role === "assistant" ? "output_text" : "input_text";
		const content =
			typeof input.content === "string"
				? [textType === "output_text" ? { type: textType, text: input.content, annotations: [] } : { type: textType, text: input.content }]
				: input.content;
		return { id, type, role: input.role, item: { ...input, id, type, status: "completed", content } };
	}
	return { id, type, role: null, item: { ...input, id, type, status: "completed" } };
}

/** A request's items, numbered as `<field>.<n>` in errors; at most `max` of them. */
export function toStoredItems(raw: unknown[], max: number, field = "items"): StoredItem[] {
	if (raw.length > max) throw invalid(field, `at most ${max} items may be added at once`);
	return raw.map((r, i) => toStoredItem(r, `${field}.${i}`));
}
