import { z } from "zod";
import { GatewayError } from "../../errors/gateway-error";
import { deepest } from "../../lib/zod-issue";

// `input_file` is accepted here so that input.ts can refuse it by name rather than with a generic message.
const part = z.discriminatedUnion("type", [
	z.looseObject({ type: z.enum(["input_text", "output_text"]), text: z.string() }),
	z.looseObject({ type: z.literal("refusal"), refusal: z.string() }),
	z.looseObject({ type: z.literal("input_image"), image_url: z.string().nullish(), file_id: z.string().nullish(), detail: z.string().nullish() }),
	z.looseObject({ type: z.literal("input_file") }),
]);

const content = z.union([z.string(), z.array(part)]);

const message = z.looseObject({
	type: z.literal("message").optional(),
	role: z.enum(["user", "assistant", "system", "developer"]),
	content,
});

const functionCall = z.looseObject({ type: z.literal("function_call"), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() });

const functionCallOutput = z.looseObject({ type: z.literal("function_call_output"), call_id: z.string().min(1), output: content });

const texts = z.array(z.looseObject({ text: z.string() }));

const reasoning = z.looseObject({ type: z.literal("reasoning"), summary: texts.optional(), content: texts.nullish(), encrypted_content: z.string().nullish() });

const itemSchemas = { message, function_call: functionCall, function_call_output: functionCallOutput, reasoning } as const;

export type ContentPart = z.infer<typeof part>;
export type InputItem = z.infer<(typeof itemSchemas)[keyof typeof itemSchemas]>;

export function invalid(path: string, message: string): GatewayError {
	return new GatewayError("invalid_request", `'${path}': ${message}`, { param: path });
}

function parse<T extends z.ZodType>(schema: T, value: unknown, at: string): z.infer<T> {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const first = result.error.issues[0];
	if (!first) throw invalid(at, "Invalid input");
	const issue = deepest(first);
	throw invalid([at, ...issue.path.map(String)].join("."), issue.message);
}

const typed = z.looseObject({ type: z.string().optional() });

function kindOf(raw: unknown): string | undefined {
	const item = typed.safeParse(raw);
	if (!item.success) return undefined;
	return item.data.type === undefined && "role" in item.data ? "message" : item.data.type;
}

const schemaOf = new Map<string, z.ZodType<InputItem>>(Object.entries(itemSchemas));

/** One input item, checked against the shape of its type; the types the gateway cannot serve are refused by name. */
export function readItem(raw: unknown, at: string): InputItem {
	const kind = kindOf(raw);
	if (kind === "item_reference") {
		throw invalid(at, "item references are not supported: send the items themselves, or name their conversation or previous response");
	}
	const schema = kind === undefined ? undefined : schemaOf.get(kind);
	if (kind === undefined || !schema) {
		const what = kind === undefined ? "an item without a type" : `items of type '${kind}'`;
		throw invalid(at, `${what} cannot be served by the gateway; it accepts messages, function_call, function_call_output and reasoning items`);
	}
	return parse(schema, raw, at);
}
