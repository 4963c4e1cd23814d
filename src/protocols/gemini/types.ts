/**
 * The Gemini API's generateContent wire (https://ai.google.dev/api/generate-content), as far as the gateway reads
 * and writes it. Field names are the camelCase of Google's JSON mapping; unknown fields pass through.
 */

export interface GeminiFunctionCall {
	name: string;
	args?: Record<string, unknown>;
	id?: string;
}

export interface GeminiFunctionResponse {
	name: string;
	response: Record<string, unknown>;
	id?: string;
}

export interface GeminiPart {
	text?: string;
	/** The text is a thought summary, not the answer. */
	thought?: boolean;
	/** Opaque reasoning state to send back in the same part on the next turn. */
	thoughtSignature?: string;
	inlineData?: { mimeType: string; data: string };
	fileData?: { mimeType?: string; fileUri: string };
	functionCall?: GeminiFunctionCall;
	functionResponse?: GeminiFunctionResponse;
	[extra: string]: unknown;
}

export interface GeminiContent {
	/** "user" or "model"; absent means user. */
	role?: string;
	parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
	name: string;
	description?: string;
	/** Google's OpenAPI-subset schema (types may be upper case). */
	parameters?: Record<string, unknown>;
	/** A plain JSON Schema, the alternative to `parameters`. */
	parametersJsonSchema?: unknown;
}

export interface GeminiTool {
	functionDeclarations?: GeminiFunctionDeclaration[];
	[extra: string]: unknown;
}

export interface GeminiGenerationConfig {
	temperature?: number;
	topP?: number;
	topK?: number;
	maxOutputTokens?: number;
	stopSequences?: string[];
	candidateCount?: number;
	seed?: number;
	presencePenalty?: number;
	frequencyPenalty?: number;
	responseMimeType?: string;
	responseSchema?: Record<string, unknown>;
	responseJsonSchema?: unknown;
	thinkingConfig?: { thinkingBudget?: number; includeThoughts?: boolean; thinkingLevel?: string };
	[extra: string]: unknown;
}

export interface GenerateContentRequest {
	/** Not part of the body: Gemini takes the model from the URL, and the route puts it here for the codec. */
	model?: string;
	contents: GeminiContent[];
	systemInstruction?: GeminiContent;
	tools?: GeminiTool[];
	toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
	generationConfig?: GeminiGenerationConfig;
	[extra: string]: unknown;
}

export interface GeminiUsageMetadata {
	promptTokenCount?: number;
	candidatesTokenCount?: number;
	thoughtsTokenCount?: number;
	cachedContentTokenCount?: number;
	toolUsePromptTokenCount?: number;
	totalTokenCount?: number;
}

export interface GeminiCandidate {
	content?: { role?: string; parts?: GeminiPart[] };
	finishReason?: string;
	index?: number;
}

export interface GenerateContentResponse {
	candidates?: GeminiCandidate[];
	promptFeedback?: { blockReason?: string };
	usageMetadata?: GeminiUsageMetadata;
	modelVersion?: string;
	responseId?: string;
}

/** Google's error body, also sent as a stream event. */
export interface GeminiError {
	error: { code: number; message: string; status: string };
}
