import { GatewayError } from "../../errors/gateway-error";
import { type ChatMessage, type ChatPart, type ChatRequest, dataUrl, EFFORT_BUDGET, effortFor, parseArguments, partsOf, textOf } from "../ir";
import { type Block, isKnown, isKnownSource, type KnownBlock, type MessagesInput } from "./schema";
import type { AnthropicMessage, AnthropicToolChoice, ContentBlock, MessagesRequest } from "./types";

/** Anthropic requires `max_tokens`; OpenAI and Gemini clients often leave it out. */
export const DEFAULT_MAX_TOKENS = 4096;

function blockText(content: string | Block[] | undefined): string {
	if (typeof content === "string") return content;
	return (content ?? []).map((b) => (isKnown(b) && b.type === "text" ? b.text : "")).join("");
}

function chatPart(block: KnownBlock): ChatPart | undefined {
	if (block.type === "text") return { type: "text", text: block.text };
	if (block.type !== "image" || !isKnownSource(block.source)) return undefined;
	const s = block.source;
	return { type: "image_url", image_url: { url: s.type === "base64" ? `data:${s.media_type};base64,${s.data}` : s.url } };
}

function assistantToChat(blocks: Block[]): ChatMessage {
	const message: ChatMessage = { role: "assistant", content: null };
	let text = "";
	for (const b of blocks) {
		if (!isKnown(b)) continue;
		if (b.type === "text") text += b.text;
		else if (b.type === "tool_use") {
			message.tool_calls = [
				...(message.tool_calls ?? []),
				{ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } },
			];
		} else if (b.type === "thinking") {
			message.reasoning_content = (message.reasoning_content ?? "") + b.thinking;
			if (b.signature) message.reasoning_signature = b.signature;
		}
	}
	message.content = text || null;
	return message;
}

/** A user turn: its tool results become tool messages (first, as OpenAI wants them right after the calls), the rest one user message. */
function userToChat(blocks: Block[]): ChatMessage[] {
	const out: ChatMessage[] = [];
	const parts: ChatPart[] = [];
	for (const b of blocks) {
		if (!isKnown(b)) continue;
		if (b.type === "tool_result") out.push({ role: "tool", tool_call_id: b.tool_use_id, content: blockText(b.content) });
		else {
			const part = chatPart(b);
			if (part) parts.push(part);
		}
	}
	if (parts.length > 0) out.push({ role: "user", content: parts.every((p) => p.type === "text") ? parts.map((p) => p.text).join("") : parts });
	return out;
}

const choiceToChat = (c: AnthropicToolChoice): ChatRequest["tool_choice"] =>
	c.type === "tool" ? { type: "function", function: { name: c.name } } : c.type === "any" ? "required" : c.type;

/** Anthropic Messages → the internal representation. */
export function toChat(req: MessagesInput): ChatRequest {
	const messages: ChatMessage[] = [];
	const system = typeof req.system === "string" ? req.system : req.system?.map((b) => b.text).join("\n");
	if (system) messages.push({ role: "system", content: system });
	for (const m of req.messages) {
		if (typeof m.content === "string") messages.push({ role: m.role, content: m.content });
		else if (m.role === "assistant") messages.push(assistantToChat(m.content));
		else messages.push(...userToChat(m.content));
	}
	const serverTool = req.tools?.find((t) => t.type !== undefined && t.type !== "custom");
	if (serverTool) {
		throw new GatewayError("invalid_request", `Server tool '${serverTool.type}' is not supported by the gateway; only client tools are`, { param: "tools" });
	}
	const chat: ChatRequest = { model: req.model, messages, max_tokens: req.max_tokens };
	if (req.stream !== undefined) chat.stream = req.stream;
	if (req.temperature !== undefined) chat.temperature = req.temperature;
	if (req.top_p !== undefined) chat.top_p = req.top_p;
	if (req.stop_sequences?.length) chat.stop = req.stop_sequences;
	if (req.tools?.length) {
		chat.tools = req.tools.map((t) => ({
			type: "function",
			function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema ?? { type: "object" } },
		}));
	}
	if (req.tool_choice) {
		chat.tool_choice = choiceToChat(req.tool_choice);
		if (req.tool_choice.disable_parallel_tool_use) chat.parallel_tool_calls = false;
	}
	if (req.thinking?.type === "enabled") {
		chat.thinking_budget = req.thinking.budget_tokens;
		chat.reasoning_effort = effortFor(req.thinking.budget_tokens);
	}
	if (req.metadata?.user_id) chat.user = req.metadata.user_id;
	return chat;
}

function anthropicBlocks(m: ChatMessage): ContentBlock[] {
	const blocks: ContentBlock[] = [];
	for (const p of partsOf(m.content)) {
		if (p.type === "text") {
			if (p.text) blocks.push({ type: "text", text: p.text });
		} else if (p.type === "image_url") {
			const inline = dataUrl(p.image_url.url);
			blocks.push({
				type: "image",
				source: inline ? { type: "base64", media_type: inline.mediaType, data: inline.data } : { type: "url", url: p.image_url.url },
			});
		}
	}
	return blocks;
}

function assistantBlocks(m: ChatMessage): ContentBlock[] {
	const blocks: ContentBlock[] = [];
	// Anthropic verifies thinking it is shown; reasoning from another provider has no signature and is left out.
	if (m.reasoning_content && m.reasoning_signature) blocks.push({ type: "thinking", thinking: m.reasoning_content, signature: m.reasoning_signature });
	blocks.push(...anthropicBlocks(m));
	for (const call of m.tool_calls ?? []) {
		blocks.push({ type: "tool_use", id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
	}
	return blocks;
}

function jsonInstruction(format: ChatRequest["response_format"]): string | undefined {
	if (format?.type === "json_object") return "Respond with a single JSON object and nothing else.";
	if (format?.type === "json_schema") {
		return `Respond with a single JSON object and nothing else, matching this JSON Schema:\n${JSON.stringify(format.json_schema.schema ?? {})}`;
	}
	return undefined;
}

function toolChoice(req: ChatRequest): AnthropicToolChoice | undefined {
	const c = req.tool_choice;
	const noParallel = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
	if (c === undefined) return req.parallel_tool_calls === false && req.tools?.length ? { type: "auto", ...noParallel } : undefined;
	if (typeof c === "object") return { type: "tool", name: c.function.name, ...noParallel };
	return { type: c === "required" ? "any" : c, ...noParallel };
}

/** The internal representation → Anthropic Messages. */
export function fromChat(req: ChatRequest): MessagesRequest {
	const system: string[] = [];
	const messages: AnthropicMessage[] = [];
	const push = (role: AnthropicMessage["role"], blocks: ContentBlock[]) => {
		if (blocks.length === 0) return;
		const last = messages.at(-1);
		// Consecutive turns of one role (a run of tool results, say) become one turn, as Anthropic reads them anyway.
		if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
		else messages.push({ role, content: blocks });
	};
	for (const m of req.messages) {
		if (m.role === "system" || m.role === "developer") system.push(textOf(m.content));
		else if (m.role === "assistant") push("assistant", assistantBlocks(m));
		else if (m.role === "tool") push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id ?? "", content: textOf(m.content) }]);
		else push("user", anthropicBlocks(m));
	}
	const json = jsonInstruction(req.response_format);
	if (json) system.push(json);

	const budget = req.thinking_budget ?? (req.reasoning_effort ? EFFORT_BUDGET[req.reasoning_effort] : undefined);
	let maxTokens = req.max_tokens ?? req.max_completion_tokens ?? DEFAULT_MAX_TOKENS;
	const out: MessagesRequest = { model: req.model, messages, max_tokens: maxTokens };
	if (budget !== undefined) {
		const budgetTokens = Math.max(1024, budget);
		// The thinking budget counts against max_tokens and must be below it.
		if (maxTokens <= budgetTokens) maxTokens += budgetTokens;
		out.max_tokens = maxTokens;
		out.thinking = { type: "enabled", budget_tokens: budgetTokens };
	} else {
		// Anthropic's range is 0–1 where OpenAI's is 0–2; thinking requires the default, so it is sent only without.
		if (req.temperature !== undefined && req.temperature !== null) out.temperature = Math.min(1, req.temperature);
		if (req.top_p !== undefined && req.top_p !== null) out.top_p = req.top_p;
	}
	if (system.length > 0) out.system = system.join("\n\n");
	if (req.stop !== undefined && req.stop !== null) out.stop_sequences = typeof req.stop === "string" ? [req.stop] : req.stop;
	if (req.stream) out.stream = true;
	if (req.tools?.length) {
		out.tools = req.tools.map((t) => ({
			name: t.function.name,
			...(t.function.description ? { description: t.function.description } : {}),
			input_schema: t.function.parameters ?? { type: "object", properties: {} },
		}));
		const choice = toolChoice(req);
		if (choice) out.tool_choice = choice;
	}
	if (req.user) out.metadata = { user_id: req.user };
	return out;
}
