import { type ChatResponse, type FinishReason, parseArguments } from "../ir";
import { type GenerateContentAnswer, generateContentAnswer } from "./answer";
import { chatFinishOf, geminiFinishOf } from "./finish";
import { type AssistantMessage, assistantOf, newCallId } from "./parts";
import type { GeminiPart, GenerateContentResponse } from "./types";
import { chatUsageOf, usageMetadataOf } from "./usage";

function finishOf(response: GenerateContentAnswer, called: boolean): FinishReason {
	const reason = response.candidates?.[0]?.finishReason;
	if (reason) return chatFinishOf(reason, called);
	// A prompt blocked outright comes back with feedback and no candidate at all.
	if (response.promptFeedback?.blockReason) return "content_filter";
	return called ? "tool_calls" : "stop";
}

/** A generateContent answer in the internal representation; only the first candidate is read (the gateway asks for one). */
export function responseToChat(body: unknown, model: string): ChatResponse {
	// A throw here is the channel's fault: its answer is not a generateContent answer.
	const response = generateContentAnswer.parse(body);
	const candidate = response.candidates?.[0];
	const message = assistantOf(candidate?.content?.parts ?? [], newCallId);
	const called = (message.tool_calls?.length ?? 0) > 0;
	const finish = finishOf(response, called);
	const usage = chatUsageOf(response.usageMetadata);
	return {
		id: `chatcmpl-${response.responseId ?? crypto.randomUUID()}`,
		object: "chat.completion",
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [{ index: 0, message, finish_reason: finish }],
		...(usage ? { usage } : {}),
	};
}

/** Parts of an answer for a Gemini client: thoughts first (carrying the signature), text, then function calls. */
function answerParts(message: AssistantMessage): GeminiPart[] {
	const signature = message.reasoning_signature;
	const calls = message.tool_calls ?? [];
	const parts: GeminiPart[] = [];
	if (message.reasoning_content) parts.push({ text: message.reasoning_content, thought: true, ...(signature ? { thoughtSignature: signature } : {}) });
	const unplaced = signature && !message.reasoning_content ? signature : undefined;
	if (message.content) parts.push({ text: message.content, ...(unplaced && !calls.length ? { thoughtSignature: unplaced } : {}) });
	calls.forEach((call, i) => {
		const functionCall = { name: call.function.name, args: parseArguments(call.function.arguments), id: call.id };
		parts.push({ functionCall, ...(i === 0 && unplaced ? { thoughtSignature: unplaced } : {}) });
	});
	return parts.length ? parts : [{ text: "" }];
}

export function responseFromChat(response: ChatResponse, model: string): GenerateContentResponse {
	const choice = response.choices[0];
	const parts = choice ? answerParts(choice.message) : [{ text: "" }];
	return {
		candidates: [{ content: { role: "model", parts }, finishReason: geminiFinishOf(choice?.finish_reason ?? null), index: 0 }],
		...(response.usage ? { usageMetadata: usageMetadataOf(response.usage) } : {}),
		modelVersion: model,
		responseId: response.id,
	};
}
