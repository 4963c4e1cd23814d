import { type ChatRequest, type ChatToolChoice, EFFORT_BUDGET } from "../ir";
import { contentsOf } from "./messages-to-contents";
import type { GeminiGenerationConfig, GeminiTool, GenerateContentRequest } from "./types";

const num = (v: unknown) => (typeof v === "number" ? v : undefined);

function functionCallingOf(choice: ChatToolChoice): { mode: string; allowedFunctionNames?: string[] } {
	if (choice === "auto") return { mode: "AUTO" };
	if (choice === "none") return { mode: "NONE" };
	if (choice === "required") return { mode: "ANY" };
	return { mode: "ANY", allowedFunctionNames: [choice.function.name] };
}

function thinkingOf(chat: ChatRequest): GeminiGenerationConfig["thinkingConfig"] {
	const budget = chat.thinking_budget ?? (chat.reasoning_effort ? EFFORT_BUDGET[chat.reasoning_effort] : undefined);
	if (budget === undefined) return undefined;
	// A zero budget turns thinking off, and then there are no thoughts to include.
	return budget > 0 ? { thinkingBudget: budget, includeThoughts: true } : { thinkingBudget: 0 };
}

function generationConfigOf(chat: ChatRequest): GeminiGenerationConfig {
	const format = chat.response_format;
	const json = format?.type === "json_object" || format?.type === "json_schema";
	const schema = format?.type === "json_schema" ? format.json_schema.schema : undefined;
	const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
	const stop = typeof chat.stop === "string" ? [chat.stop] : chat.stop;
	const thinking = thinkingOf(chat);
	const entries: [string, unknown][] = [
		["temperature", chat.temperature],
		["topP", chat.top_p],
		["maxOutputTokens", maxTokens],
		["stopSequences", stop?.length ? stop : undefined],
		["seed", num(chat.seed)],
		["presencePenalty", num(chat.presence_penalty)],
		["frequencyPenalty", num(chat.frequency_penalty)],
		["responseMimeType", json ? "application/json" : undefined],
		["responseJsonSchema", schema],
		["thinkingConfig", thinking],
	];
	// Clients send null for "unset" in Chat Completions; Gemini would reject it.
	return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== null));
}

/** A chat request as a generateContent body. The model goes in the URL, and Gemini rejects unknown body fields. */
export function requestFromChat(chat: ChatRequest): GenerateContentRequest {
	const { contents, systemInstruction } = contentsOf(chat.messages);
	const declarations = (chat.tools ?? []).map(({ function: f }) => ({
		name: f.name,
		...(f.description ? { description: f.description } : {}),
		...(f.parameters ? { parametersJsonSchema: f.parameters } : {}),
	}));
	const tools: GeminiTool[] = declarations.length ? [{ functionDeclarations: declarations }] : [];
	const generationConfig = generationConfigOf(chat);
	return {
		contents,
		...(systemInstruction ? { systemInstruction } : {}),
		...(tools.length ? { tools } : {}),
		...(tools.length && chat.tool_choice ? { toolConfig: { functionCallingConfig: functionCallingOf(chat.tool_choice) } } : {}),
		...(Object.keys(generationConfig).length ? { generationConfig } : {}),
	};
}
