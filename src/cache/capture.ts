import type { Wire } from "../protocols/codec";
import { egressCodecs } from "../protocols/egress";
import type { ChatResponse, ChatToolCall, FinishReason } from "../protocols/ir";
import { chatChunkSchema } from "../protocols/openai/stream-chunk";
import { sseEvents } from "../protocols/sse";
import { parseEvent } from "../protocols/stream-json";

interface Choice {
	content: string;
	reasoning: string;
	signature: string | undefined;
	tools: Map<number, { id: string; name: string; args: string }>;
	finish: FinishReason | null;
}

/** A wire's own stream events (passed through to a client of that wire) as chat chunk events. */
function asChatChunks(events: readonly string[], wire: Wire, model: string): string[] {
	const mapper = egressCodecs[wire].streamToChat?.(model);
	if (!mapper) return [...events];
	const text = events.map((data) => mapper.map({ event: undefined, data })).join("") + mapper.end();
	return sseEvents(text).map((e) => e.data);
}

/**
 * The whole answer a stream delivered, in the internal representation, for the cache to keep: undefined when the
 * stream carried an error or a choice never finished (a partial answer is never kept). `events` are the data of the
 * events the client was sent, in the channel's `wire` (chat chunks when it was translated).
 */
export function answerOfStream(events: readonly string[], wire: Wire, model: string): ChatResponse | undefined {
	const choices = new Map<number, Choice>();
	let id: string | undefined;
	for (const data of asChatChunks(events, wire, model)) {
		if (data === "[DONE]") continue;
		const chunk = parseEvent(chatChunkSchema, data);
		if (!chunk || chunk.error) return undefined;
		id ??= chunk.id;
		for (const c of chunk.choices ?? []) {
			const index = c.index ?? 0;
			let choice = choices.get(index);
			if (!choice) {
				choice = { content: "", reasoning: "", signature: undefined, tools: new Map(), finish: null };
				choices.set(index, choice);
			}
			const delta = c.delta;
			if (delta?.content) choice.content += delta.content;
			if (delta?.reasoning_content) choice.reasoning += delta.reasoning_content;
			if (delta?.reasoning_signature) choice.signature = (choice.signature ?? "") + delta.reasoning_signature;
			for (const t of delta?.tool_calls ?? []) {
				const tool = choice.tools.get(t.index) ?? { id: "", name: "", args: "" };
				if (t.id) tool.id = t.id;
				if (t.function?.name) tool.name += t.function.name;
				if (t.function?.arguments) tool.args += t.function.arguments;
				choice.tools.set(t.index, tool);
			}
			if (c.finish_reason) choice.finish = c.finish_reason;
		}
	}
	if (choices.size === 0 || [...choices.values()].some((c) => c.finish === null)) return undefined;
	return {
		id: id ?? "chatcmpl-cache",
		object: "chat.completion",
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [...choices.entries()]
			.sort(([a], [b]) => a - b)
			.map(([index, c]) => {
				const tools: ChatToolCall[] = [...c.tools.entries()]
					.sort(([a], [b]) => a - b)
					.map(([, t]) => ({ id: t.id, type: "function", function: { name: t.name, arguments: t.args } }));
				return {
					index,
					message: {
						role: "assistant",
						content: c.content || (tools.length ? null : ""),
						...(tools.length ? { tool_calls: tools } : {}),
						...(c.reasoning ? { reasoning_content: c.reasoning } : {}),
						...(c.signature ? { reasoning_signature: c.signature } : {}),
					},
					finish_reason: c.finish,
				};
			}),
	};
}
