// What a client of each dialect ends up with, read from a response the way that dialect's SDKs read it:
// the text, reasoning and tool calls, how it finished, the usage it reports, and any error.

export interface Outcome {
	text: string;
	reasoning: string;
	tools: { name: string; args: unknown }[];
	finish: "stop" | "length" | "tool_calls" | "content_filter" | undefined;
	usage: { prompt: number; completion: number } | undefined;
	error: string | undefined;
}

import { sseEvents } from "../../src/protocols/sse";

export { sseEvents };

// biome-ignore lint/suspicious/noExplicitAny: reads arbitrary wire JSON the way a client would; the expectations check the shapes
type Json = Record<string, any>;

const empty = (): Outcome => ({ text: "", reasoning: "", tools: [], finish: undefined, usage: undefined, error: undefined });

const args = (s: string) => (s ? JSON.parse(s) : {});

const openaiFinish = (f: unknown) => (f === null || f === undefined ? undefined : (f as Outcome["finish"]));

export function openaiOutcome(body: string, stream: boolean): Outcome {
	const o = empty();
	if (!stream) {
		const j: Json = JSON.parse(body);
		const m = j.choices[0].message;
		o.text = m.content ?? "";
		o.reasoning = m.reasoning_content ?? "";
		o.tools = (m.tool_calls ?? []).map((c: Json) => ({ name: c.function.name, args: args(c.function.arguments) }));
		o.finish = openaiFinish(j.choices[0].finish_reason);
		if (j.usage) o.usage = { prompt: j.usage.prompt_tokens, completion: j.usage.completion_tokens };
		return o;
	}
	const calls: { name: string; args: string }[] = [];
	for (const { data } of sseEvents(body)) {
		if (data === "[DONE]") continue;
		const j: Json = JSON.parse(data);
		if (j.error) o.error = j.error.message;
		if (j.usage) o.usage = { prompt: j.usage.prompt_tokens, completion: j.usage.completion_tokens };
		for (const c of j.choices ?? []) {
			o.text += c.delta?.content ?? "";
			o.reasoning += c.delta?.reasoning_content ?? "";
			for (const t of c.delta?.tool_calls ?? []) {
				const call = calls[t.index] ?? { name: "", args: "" };
				calls[t.index] = call;
				call.name += t.function?.name ?? "";
				call.args += t.function?.arguments ?? "";
			}
			o.finish = openaiFinish(c.finish_reason) ?? o.finish;
		}
	}
	o.tools = calls.map((c) => ({ name: c.name, args: args(c.args) }));
	return o;
}

const anthropicFinish: Record<string, Outcome["finish"]> = {
	end_turn: "stop",
	stop_sequence: "stop",
	max_tokens: "length",
	tool_use: "tool_calls",
	refusal: "content_filter",
};

export function anthropicOutcome(body: string, stream: boolean): Outcome {
	const o = empty();
	const usage = (u: Json) => ({
		prompt: (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
		completion: u.output_tokens ?? 0,
	});
	if (!stream) {
		const j: Json = JSON.parse(body);
		for (const b of j.content) {
			if (b.type === "text") o.text += b.text;
			if (b.type === "thinking") o.reasoning += b.thinking;
			if (b.type === "tool_use") o.tools.push({ name: b.name, args: b.input });
		}
		o.finish = anthropicFinish[j.stop_reason];
		o.usage = usage(j.usage);
		return o;
	}
	const blocks: Json[] = [];
	let u: Json = {};
	for (const { event, data } of sseEvents(body)) {
		const j: Json = JSON.parse(data);
		if (j.type !== event) throw new Error(`event name ${event} does not match type ${j.type}`);
		if (j.type === "message_start") u = { ...j.message.usage };
		if (j.type === "content_block_start") blocks[j.index] = { ...j.content_block, json: "" };
		if (j.type === "content_block_delta") {
			const b = blocks[j.index];
			if (!b) throw new Error(`delta for unopened block ${j.index}`);
			if (j.delta.type === "text_delta") o.text += j.delta.text;
			if (j.delta.type === "thinking_delta") o.reasoning += j.delta.thinking;
			if (j.delta.type === "input_json_delta") b.json += j.delta.partial_json;
		}
		if (j.type === "message_delta") {
			u = { ...u, ...j.usage };
			o.finish = anthropicFinish[j.delta.stop_reason];
		}
		if (j.type === "error") o.error = j.error.message;
	}
	o.tools = blocks.filter((b) => b?.type === "tool_use").map((b) => ({ name: b.name, args: args(b.json) }));
	if (u.output_tokens !== undefined) o.usage = usage(u);
	return o;
}

const geminiFinish: Record<string, Outcome["finish"]> = { STOP: "stop", MAX_TOKENS: "length", SAFETY: "content_filter" };

function geminiChunk(o: Outcome, j: Json) {
	if (j.error) o.error = j.error.message;
	const c = j.candidates?.[0];
	for (const p of c?.content?.parts ?? []) {
		if (typeof p.text === "string") {
			if (p.thought) o.reasoning += p.text;
			else o.text += p.text;
		}
		if (p.functionCall) o.tools.push({ name: p.functionCall.name, args: p.functionCall.args ?? {} });
	}
	if (c?.finishReason) o.finish = o.tools.length > 0 && c.finishReason === "STOP" ? "tool_calls" : geminiFinish[c.finishReason];
	const u = j.usageMetadata;
	if (u) o.usage = { prompt: u.promptTokenCount ?? 0, completion: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0) };
}

export function geminiOutcome(body: string, stream: boolean): Outcome {
	const o = empty();
	if (!stream) {
		const j: Json | Json[] = JSON.parse(body);
		for (const chunk of Array.isArray(j) ? j : [j]) geminiChunk(o, chunk);
		return o;
	}
	for (const { data } of sseEvents(body)) geminiChunk(o, JSON.parse(data));
	return o;
}

function responsesFinal(o: Outcome, r: Json) {
	o.finish = r.status === "incomplete" ? "length" : r.output?.some((i: Json) => i.type === "function_call") ? "tool_calls" : "stop";
	if (r.usage) o.usage = { prompt: r.usage.input_tokens, completion: r.usage.output_tokens };
}

export function responsesOutcome(body: string, stream: boolean): Outcome {
	const o = empty();
	if (!stream) {
		const r: Json = JSON.parse(body);
		for (const item of r.output) {
			if (item.type === "message") for (const c of item.content) if (c.type === "output_text") o.text += c.text;
			if (item.type === "reasoning") for (const s of [...(item.summary ?? []), ...(item.content ?? [])]) o.reasoning += s.text;
			if (item.type === "function_call") o.tools.push({ name: item.name, args: args(item.arguments) });
		}
		responsesFinal(o, r);
		return o;
	}
	const calls = new Map<string, { name: string; args: string }>();
	let last = -1;
	for (const { event, data } of sseEvents(body)) {
		const j: Json = JSON.parse(data);
		if (event !== undefined && j.type !== event) throw new Error(`event name ${event} does not match type ${j.type}`);
		if (typeof j.sequence_number === "number") {
			if (j.sequence_number <= last) throw new Error("sequence numbers must increase");
			last = j.sequence_number;
		}
		if (j.type === "response.output_text.delta") o.text += j.delta;
		if (/^response\.reasoning(_summary)?_text\.delta$/.test(j.type)) o.reasoning += j.delta;
		if (j.type === "response.output_item.added" && j.item.type === "function_call") calls.set(j.item.id, { name: j.item.name, args: "" });
		if (j.type === "response.function_call_arguments.delta") {
			const call = calls.get(j.item_id);
			if (call) call.args += j.delta;
		}
		if (j.type === "response.completed" || j.type === "response.incomplete") responsesFinal(o, j.response);
		if (j.type === "error") o.error = j.message;
		if (j.type === "response.failed") o.error = j.response?.error?.message ?? "failed";
	}
	o.tools = [...calls.values()].map((c) => ({ name: c.name, args: args(c.args) }));
	return o;
}
