import type OpenAI from "openai";

/** A streamed chat read as the openai SDK's user reads it: the text, and the usage chunk if one came. */
export async function readChatStream(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
	let text = "";
	let usage: OpenAI.CompletionUsage | null | undefined;
	for await (const chunk of stream) {
		text += chunk.choices[0]?.delta.content ?? "";
		if (chunk.usage) usage = chunk.usage;
	}
	return { text, usage };
}
