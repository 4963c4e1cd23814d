import { z } from "zod";
import { otherThan, typesOf } from "../../lib/open-union";
import type { ChatMessage, ChatPart, ChatRequest, ChatResponseFormat, ChatTool, ChatToolCall, ChatToolChoice } from "../ir";

/**
 * A Chat Completions request as zod reads it: the fields the gateway relies on, each checked; parts, tools and
 * formats of types it does not model pass as they are (to an OpenAI channel the body goes untouched).
 */

const knownPart = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("text"), text: z.string() }),
	z.looseObject({ type: z.literal("image_url"), image_url: z.looseObject({ url: z.string(), detail: z.string().optional() }) }),
]);
const part = z.union([knownPart, otherThan(typesOf(knownPart))]);

const knownCall = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("function"), id: z.string(), function: z.looseObject({ name: z.string(), arguments: z.string() }) }),
]);
const toolCall = z.union([knownCall, otherThan(typesOf(knownCall))]);

const message = z.looseObject({
	role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
	content: z.union([z.string(), z.array(part), z.null()]).optional(),
	name: z.string().optional(),
	tool_calls: z.array(toolCall).nullish(),
	tool_call_id: z.string().nullish(),
	// The gateway's own additions, sent back with an answer's reasoning so that a signature reaches its provider again.
	reasoning_content: z.string().nullish(),
	reasoning_signature: z.string().nullish(),
});

const knownTool = z.discriminatedUnion("type", [
	z.looseObject({
		type: z.literal("function"),
		function: z.looseObject({
			name: z.string(),
			description: z.string().nullish(),
			parameters: z.record(z.string(), z.unknown()).nullish(),
			strict: z.boolean().nullish(),
		}),
	}),
]);

const namedChoice = z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) });
const toolChoice = z.union([z.enum(["auto", "none", "required"]), z.discriminatedUnion("type", [namedChoice]), otherThan(["function"])]);

const knownFormat = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("text") }),
	z.looseObject({ type: z.literal("json_object") }),
	z.looseObject({
		type: z.literal("json_schema"),
		json_schema: z.looseObject({
			name: z.string(),
			schema: z.record(z.string(), z.unknown()).optional(),
			strict: z.boolean().nullish(),
			description: z.string().optional(),
		}),
	}),
]);

/** The fields the gateway relies on; everything else passes through to the upstream untouched. */
export const chatCompletionRequest = z.looseObject({
	model: z.string().min(1, "is required").max(200, "must be at most 200 characters"),
	messages: z.array(message).min(1, "must contain at least one message"),
	stream: z.boolean().optional(),
	stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
	max_tokens: z.number().int().positive().nullish(),
	max_completion_tokens: z.number().int().positive().nullish(),
	temperature: z.number().min(0).max(2).nullish(),
	top_p: z.number().min(0).max(1).nullish(),
	n: z.number().int().min(1).max(128).nullish(),
	stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
	tools: z.array(z.union([knownTool, otherThan(typesOf(knownTool))])).optional(),
	tool_choice: toolChoice.nullish(),
	parallel_tool_calls: z.boolean().nullish(),
	response_format: z.union([knownFormat, otherThan(typesOf(knownFormat))]).nullish(),
	reasoning_effort: z.string().nullish(),
	user: z.string().nullish(),
});

export type ChatCompletionInput = z.infer<typeof chatCompletionRequest>;

type Input<K extends keyof ChatCompletionInput> = NonNullable<ChatCompletionInput[K]>;
type InputMessage = Input<"messages">[number];
type KnownPart = z.infer<typeof knownPart>;
type KnownCall = z.infer<typeof knownCall>;
type KnownTool = z.infer<typeof knownTool>;

const PART_TYPES = typesOf(knownPart);
const isPart = (p: z.infer<typeof part>): p is KnownPart => PART_TYPES.includes(p.type);
const isCall = (c: z.infer<typeof toolCall>): c is KnownCall => c.type === "function";
const isTool = (t: Input<"tools">[number]): t is KnownTool => t.type === "function";

function partToChat(p: KnownPart): ChatPart {
	if (p.type === "text") return { type: "text", text: p.text };
	const { url, detail } = p.image_url;
	return { type: "image_url", image_url: { url, ...(detail === undefined ? {} : { detail }) } };
}

function callToChat({ id, function: { name, arguments: args } }: KnownCall): ChatToolCall {
	return { id, type: "function", function: { name, arguments: args } };
}

function messageToChat({ role, content, name, tool_calls, tool_call_id, reasoning_content, reasoning_signature }: InputMessage): ChatMessage {
	// A legacy function result has no call id to pair with: the translations have always read it as user text.
	const out: ChatMessage = { role: role === "function" ? "user" : role };
	if (content !== undefined) out.content = Array.isArray(content) ? content.filter(isPart).map(partToChat) : content;
	if (name !== undefined) out.name = name;
	const calls = tool_calls?.filter(isCall).map(callToChat);
	if (calls?.length) out.tool_calls = calls;
	if (tool_call_id) out.tool_call_id = tool_call_id;
	if (reasoning_content) out.reasoning_content = reasoning_content;
	if (reasoning_signature) out.reasoning_signature = reasoning_signature;
	return out;
}

function toolToChat({ function: { name, description, parameters, strict } }: KnownTool): ChatTool {
	const fn: ChatTool["function"] = { name };
	if (description) fn.description = description;
	if (parameters) fn.parameters = parameters;
	if (typeof strict === "boolean") fn.strict = strict;
	return { type: "function", function: fn };
}

function choiceToChat(choice: Input<"tool_choice">): ChatToolChoice | undefined {
	if (typeof choice === "string") return choice;
	const named = namedChoice.safeParse(choice);
	return named.success ? { type: "function", function: { name: named.data.function.name } } : undefined;
}

const FORMAT_TYPES = typesOf(knownFormat);
const isFormat = (f: Input<"response_format">): f is z.infer<typeof knownFormat> => FORMAT_TYPES.includes(f.type);

function formatToChat(format: Input<"response_format">): ChatResponseFormat | undefined {
	if (!isFormat(format)) return undefined;
	if (format.type !== "json_schema") return { type: format.type };
	const { name, schema, strict, description } = format.json_schema;
	const extra = { ...(schema ? { schema } : {}), ...(typeof strict === "boolean" ? { strict } : {}), ...(description ? { description } : {}) };
	return { type: "json_schema", json_schema: { name, ...extra } };
}

const EFFORTS = new Map<string, ChatRequest["reasoning_effort"]>([
	["minimal", "minimal"],
	["low", "low"],
	["medium", "medium"],
	["high", "high"],
]);

const SETTINGS = [
	"stream",
	"stream_options",
	"max_tokens",
	"max_completion_tokens",
	"temperature",
	"top_p",
	"stop",
	"parallel_tool_calls",
	"user",
	"reasoning_effort",
	"thinking_budget",
];

/** The fields settingsToChat does not read, as they came. */
function withoutSettings(rest: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(rest).filter(([k]) => !SETTINGS.includes(k)));
}

/** Fields a client sets to null mean "unset": the internal representation leaves them out. */
function settingsToChat(req: ChatCompletionInput): Partial<ChatRequest> {
	const out: Partial<ChatRequest> = {};
	if (req.stream !== undefined) out.stream = req.stream;
	if (req.stream_options) out.stream_options = req.stream_options;
	if (typeof req.max_tokens === "number") out.max_tokens = req.max_tokens;
	if (typeof req.max_completion_tokens === "number") out.max_completion_tokens = req.max_completion_tokens;
	if (typeof req.temperature === "number") out.temperature = req.temperature;
	if (typeof req.top_p === "number") out.top_p = req.top_p;
	if (req.stop !== undefined && req.stop !== null) out.stop = req.stop;
	if (typeof req.parallel_tool_calls === "boolean") out.parallel_tool_calls = req.parallel_tool_calls;
	if (req.user) out.user = req.user;
	const effort = req.reasoning_effort ? EFFORTS.get(req.reasoning_effort) : undefined;
	if (effort) out.reasoning_effort = effort;
	if (typeof req.thinking_budget === "number") out.thinking_budget = req.thinking_budget;
	return out;
}

/**
 * A validated Chat Completions request as the internal representation: the same fields, typed, with the parts
 * and tools the gateway does not model left out (an OpenAI channel gets the client's body instead). Fields the
 * gateway does not read (seed, penalties …) come along for the translations that map them.
 */
export function toChat(req: ChatCompletionInput): ChatRequest {
	const { model, messages, tools, tool_choice, response_format, ...rest } = req;
	const chat: ChatRequest = { ...withoutSettings(rest), ...settingsToChat(req), model, messages: messages.map(messageToChat) };
	const offered = tools?.filter(isTool).map(toolToChat) ?? [];
	if (offered.length) chat.tools = offered;
	const choice = tool_choice ? choiceToChat(tool_choice) : undefined;
	if (choice) chat.tool_choice = choice;
	const format = response_format ? formatToChat(response_format) : undefined;
	if (format) chat.response_format = format;
	return chat;
}
