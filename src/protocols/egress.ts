import { anthropicEgress } from "./anthropic";
import type { EgressCodec, Wire } from "./codec";
import { geminiEgress } from "./gemini";
import { openaiEgress } from "./openai";

/** How each channel wire is spoken. */
export const egressCodecs: Record<Wire, EgressCodec> = {
	openai: openaiEgress,
	anthropic: anthropicEgress,
	gemini: geminiEgress,
};
