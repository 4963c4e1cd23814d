import { GatewayError } from "../../errors/gateway-error";
import type { ChatRequest, ChatResponseFormat, ChatTool, ChatToolChoice } from "../ir";
import { inputToChat } from "./input";
import type { RequestTool, RequestToolChoice, ResponsesRequest, TextFormat } from "./request-schema";

// `none` has no counterpart: leaving the effort out lets the upstream use its own default.
const EFFORT: Record<string, ChatRequest["reasoning_effort"]> = { minimal: "minimal", low: "low", medium: "medium", high: "high", xhigh: "high", max: "high" };

/**
 * Requests the gateway cannot serve, refused with the way out. `previous_response_id` and `conversation` are not
 * among them: the route puts the history they name into `input` before this reads it.
 */
function refuseUnserved(req: ResponsesRequest): void {
	if (req.background) {
		throw new GatewayError("invalid_request", "Background responses are not supported: the gateway keeps no responses to poll; omit 'background'", {
			param: "background",
		});
	}
	if (req.prompt) {
		throw new GatewayError("invalid_request", "Stored prompts are not supported: the gateway cannot read them; send 'instructions' and 'input' instead", {
			param: "prompt",
		});
	}
}

export function toolsToChat(tools: RequestTool[]): ChatTool[] {
	return tools.map((t, i) => {
		if (t.type !== "function") {
			throw new GatewayError(
				"invalid_request",
				`Tool type '${t.type}' is not supported by the gateway: it runs no hosted tools, so only 'function' tools, which your code executes, can be offered`,
				{ param: "tools" },
			);
		}
		if (!t.name) throw new GatewayError("invalid_request", `'tools.${i}.name': a function tool needs a name`, { param: `tools.${i}.name` });
		const fn: ChatTool["function"] = { name: t.name };
		if (t.description) fn.description = t.description;
		if (t.parameters) fn.parameters = t.parameters;
		if (typeof t.strict === "boolean") fn.strict = t.strict;
		return { type: "function", function: fn };
	});
}

/** `allowed_tools` narrows the tools offered: the internal representation says that by offering only those. */
function choiceToChat(choice: RequestToolChoice, chat: ChatRequest): ChatToolChoice {
	if (typeof choice === "string") return choice;
	if (choice.type === "function" && choice.name) return { type: "function", function: { name: choice.name } };
	if (choice.type === "allowed_tools" && choice.mode && choice.tools) {
		const names = new Set(choice.tools.flatMap((t) => (t.type === "function" && t.name ? [t.name] : [])));
		chat.tools = chat.tools?.filter((t) => names.has(t.function.name));
		return choice.mode;
	}
	throw new GatewayError("invalid_request", `Tool choice of type '${choice.type}' is not supported by the gateway; only function tools are`, {
		param: "tool_choice",
	});
}

function formatToChat(format: TextFormat): ChatResponseFormat {
	if (format.type !== "json_schema") return { type: format.type };
	const { name, schema, strict, description } = format;
	return { type: "json_schema", json_schema: { name, schema, ...(typeof strict === "boolean" ? { strict } : {}), ...(description ? { description } : {}) } };
}

/** A Responses request → the internal representation. */
export function toChat(req: ResponsesRequest): ChatRequest {
	refuseUnserved(req);
	const messages = inputToChat(req.input);
	if (req.instructions) messages.unshift({ role: "system", content: req.instructions });
	const chat: ChatRequest = { model: req.model, messages };
	if (typeof req.stream === "boolean") chat.stream = req.stream;
	if (typeof req.max_output_tokens === "number") chat.max_tokens = req.max_output_tokens;
	if (typeof req.temperature === "number") chat.temperature = req.temperature;
	if (typeof req.top_p === "number") chat.top_p = req.top_p;
	if (typeof req.parallel_tool_calls === "boolean") chat.parallel_tool_calls = req.parallel_tool_calls;
	if (req.user) chat.user = req.user;
	if (req.tools?.length) chat.tools = toolsToChat(req.tools);
	if (req.tool_choice) chat.tool_choice = choiceToChat(req.tool_choice, chat);
	if (req.text?.format) chat.response_format = formatToChat(req.text.format);
	const asked = req.reasoning?.effort;
	const effort = asked && Object.hasOwn(EFFORT, asked) ? EFFORT[asked] : undefined;
	if (effort) chat.reasoning_effort = effort;
	return chat;
}
