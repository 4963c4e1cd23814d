import type { StreamProbe } from "../codec";
import { parseJson, sse } from "../sse";
import { readUsage, type Usage } from "../usage";

// Cheap tests on an event's raw JSON, so that only the rare events that matter are parsed. Inside a JSON
// string these would appear with escaped quotes, so generated text cannot trigger them.
const HAS_USAGE = /"usage"\s*:\s*\{/;
const HAS_FINISH = /"finish_reason"\s*:\s*"/;
const IS_ERROR = /^\s*\{\s*"error"\s*:/;

interface Delta {
	content?: unknown;
	reasoning_content?: unknown;
	tool_calls?: { function?: { arguments?: unknown } }[];
}

type Chunk = { choices?: { delta?: Delta }[]; usage?: unknown; error?: unknown } | undefined;

function deltaChars(delta: Delta | undefined): number {
	if (!delta) return 0;
	let n = 0;
	if (typeof delta.content === "string") n += delta.content.length;
	if (typeof delta.reasoning_content === "string") n += delta.reasoning_content.length;
	for (const call of delta.tool_calls ?? []) {
		const args = call.function?.arguments;
		if (typeof args === "string") n += args.length;
	}
	return n;
}

/**
 * Chat Completions streams: complete at `[DONE]` or a finish reason, failed on an `{"error":…}` event. The
 * usage-only chunk (empty `choices`) is held back unless the client asked for `stream_options.include_usage`.
 */
export function openaiProbe(forwardUsage: boolean): StreamProbe {
	// Data of the events delivered, parsed for an estimate only if the upstream reports no usage.
	const delivered: string[] = [];
	let usage: Usage | undefined;
	let sawEnd = false;
	let failed = false;
	return {
		inspect(data) {
			if (data === "[DONE]") {
				sawEnd = true;
				return true;
			}
			if (!sawEnd && HAS_FINISH.test(data)) sawEnd = true;
			if (IS_ERROR.test(data) && (parseJson(data) as Chunk)?.error) failed = true;
			if (HAS_USAGE.test(data)) {
				const chunk = parseJson(data) as Chunk;
				const found = readUsage(chunk?.usage);
				if (found) usage = found;
				if (found && !forwardUsage && Array.isArray(chunk?.choices) && chunk.choices.length === 0) return false;
			}
			delivered.push(data);
			return true;
		},
		get complete() {
			return sawEnd && !failed;
		},
		get failed() {
			return failed;
		},
		get usage() {
			return usage;
		},
		deliveredChars() {
			let n = 0;
			for (const data of delivered) for (const choice of (parseJson(data) as Chunk)?.choices ?? []) n += deltaChars(choice.delta);
			return n;
		},
		errorEvent(message) {
			return sse({ error: { message, type: "api_error", code: "upstream_error" } });
		},
	};
}
