import { GatewayError } from "../../errors/gateway-error";
import { asRecord } from "../../lib/json-depth";
import { type ChatRequest, type ChatResponseFormat, type ChatTool, type ChatToolChoice, effortFor } from "../ir";
import { messagesOf } from "./contents-to-messages";
import { jsonSchemaOf } from "./schema";
import type { GeminiGenerationConfig, GenerateContentRequest } from "./types";

const EFFORTS = new Map<string, ChatRequest["reasoning_effort"]>([
	["minimal", "minimal"],
	["low", "low"],
	["medium", "medium"],
	["high", "high"],
]);

function toolsOf(request: GenerateContentRequest): ChatTool[] {
	// Built-in tools (search, code execution) have no counterpart in the internal representation.
	const declarations = (request.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);
	return declarations.map((d) => {
		const schema = d.parametersJsonSchema ?? (d.parameters ? jsonSchemaOf(d.parameters) : undefined);
		const parameters = asRecord(schema);
		return {
			type: "function",
			function: { name: d.name, ...(d.description ? { description: d.description } : {}), ...(parameters ? { parameters } : {}) },
		};
	});
}

/** The function calling mode; several allowed names restrict the offered tools instead, as Gemini would. */
function toolChoiceOf(request: GenerateContentRequest, tools: ChatTool[]): { tool_choice?: ChatToolChoice; tools: ChatTool[] } {
	const config = request.toolConfig?.functionCallingConfig;
	const mode = config?.mode?.toUpperCase();
	if (mode === "NONE") return { tool_choice: "none", tools };
	if (mode !== "ANY") return mode ? { tool_choice: "auto", tools } : { tools };
	const allowed = config?.allowedFunctionNames ?? [];
	const [only] = allowed;
	if (only !== undefined && allowed.length === 1) return { tool_choice: { type: "function", function: { name: only } }, tools };
	return { tool_choice: "required", tools: allowed.length ? tools.filter((t) => allowed.includes(t.function.name)) : tools };
}

function responseFormatOf(config: GeminiGenerationConfig): ChatResponseFormat | undefined {
	if (config.responseMimeType !== "application/json") return undefined;
	const schema = config.responseJsonSchema ?? (config.responseSchema ? jsonSchemaOf(config.responseSchema) : undefined);
	const record = asRecord(schema);
	return record ? { type: "json_schema", json_schema: { name: "response", schema: record } } : { type: "json_object" };
}

/** A token budget, or a Gemini 3 thinking level; -1 (dynamic thinking) leaves the choice to the upstream. */
function thinkingOf(config: GeminiGenerationConfig): Pick<ChatRequest, "thinking_budget" | "reasoning_effort"> {
	const budget = config.thinkingConfig?.thinkingBudget;
	if (budget !== undefined && budget >= 0) return { thinking_budget: budget, reasoning_effort: effortFor(budget) };
	const level = config.thinkingConfig?.thinkingLevel?.toLowerCase();
	const effort = level ? EFFORTS.get(level) : undefined;
	return effort ? { reasoning_effort: effort } : {};
}

function samplingOf(config: GeminiGenerationConfig): Partial<ChatRequest> {
	return {
		...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
		...(config.topP !== undefined ? { top_p: config.topP } : {}),
		...(config.maxOutputTokens !== undefined ? { max_tokens: config.maxOutputTokens } : {}),
		...(config.stopSequences?.length ? { stop: config.stopSequences } : {}),
		...(config.seed !== undefined ? { seed: config.seed } : {}),
		...(config.presencePenalty !== undefined ? { presence_penalty: config.presencePenalty } : {}),
		...(config.frequencyPenalty !== undefined ? { frequency_penalty: config.frequencyPenalty } : {}),
	};
}

/** A generateContent request in the internal representation; the model is the one the route took from the URL. */
export function requestToChat(request: GenerateContentRequest): ChatRequest {
	const config = request.generationConfig ?? {};
	if ((config.candidateCount ?? 1) > 1) {
		throw new GatewayError("invalid_request", "candidateCount above 1 is not supported", { param: "generationConfig.candidateCount" });
	}
	const { tool_choice, tools } = toolChoiceOf(request, toolsOf(request));
	const responseFormat = responseFormatOf(config);
	return {
		model: request.model ?? "",
		messages: messagesOf(request.contents, request.systemInstruction),
		...samplingOf(config),
		...(tools.length ? { tools } : {}),
		...(tool_choice && tools.length ? { tool_choice } : {}),
		...(responseFormat ? { response_format: responseFormat } : {}),
		...thinkingOf(config),
	};
}
