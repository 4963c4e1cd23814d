import { z } from "zod";
import { GatewayError } from "../../errors/gateway-error";

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

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/** The issue to report: inside a union, the one from the branch that got furthest, as it names the real fault. */
function deepest(issue: Issue): Issue {
	if (issue.code !== "invalid_union" || !issue.errors?.length) return issue;
	const branch = issue.errors.reduce((best, b) => ((b[0]?.path.length ?? 0) > (best[0]?.path.length ?? 0) ? b : best));
	const inner = branch[0];
	return inner && inner.path.length > 0 ? { ...deepest(inner), path: [...issue.path, ...deepest(inner).path] } : issue;
}

export function invalid(path: string, message: string): GatewayError {
	return new GatewayError("invalid_request", `'${path}': ${message}`, { param: path });
}

function parse<T extends z.ZodType>(schema: T, value: unknown, at: string): z.infer<T> {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const first = result.error.issues[0];
	if (!first) throw invalid(at, "Invalid input");
	const issue = deepest(first as Issue);
	throw invalid([at, ...issue.path.map(String)].join("."), issue.message);
}

function kindOf(raw: unknown): string | undefined {
	if (typeof raw !== "object" || raw === null) return undefined;
	const type: unknown = (raw as { type?: unknown }).type;
	if (type === undefined && "role" in raw) return "message";
	return typeof type === "string" ? type : undefined;
}

/** One input item, checked against the shape of its type; the types the gateway cannot serve are refused by name. */
export function readItem(raw: unknown, at: string): InputItem {
	const kind = kindOf(raw);
	if (kind === "item_reference") {
		throw invalid(at, "item references point at stored items, and the gateway is stateless: send the items themselves");
	}
	if (kind === undefined || !Object.hasOwn(itemSchemas, kind)) {
		const what = kind === undefined ? "an item without a type" : `items of type '${kind}'`;
		throw invalid(at, `${what} cannot be served by the gateway; it accepts messages, function_call, function_call_output and reasoning items`);
	}
	return parse(itemSchemas[kind as keyof typeof itemSchemas], raw, at);
}
