import { sse } from "../sse";
import { isJson, parseEvent } from "../stream-json";
import { type StreamTap, startsWithError, streamTap } from "../stream-tap";
import { readUsage, type Usage } from "../usage";
import { type ChatDeltaIn, chatChunkSchema } from "./stream-chunk";

// Cheap tests on an event's raw JSON, so that only the rare events that matter are parsed.
const HAS_USAGE = /"usage"\s*:\s*\{/;
const HAS_FINISH = /"finish_reason"\s*:\s*"/;

const chunkOf = (data: string) => parseEvent(chatChunkSchema, data);

function deltaChars(delta: ChatDeltaIn | undefined): number {
	if (!delta) return 0;
	let n = (delta.content?.length ?? 0) + (delta.reasoning_content?.length ?? 0);
	for (const call of delta.tool_calls ?? []) n += call.function?.arguments?.length ?? 0;
	return n;
}

/**
 * Chat Completions streams: complete at `[DONE]` or a finish reason, failed on an `{"error":…}` event or one that
 * is not JSON (each event is parsed once for that: about a microsecond for a typical chunk). The
 * usage-only chunk (empty `choices`) is held back unless the client asked for `stream_options.include_usage`.
 */
export function openaiTap(forwardUsage: boolean): StreamTap {
	// Read as the usage chunk goes by, since it is parsed then anyway to decide whether to hold it back.
	let usage: Usage | undefined;
	return streamTap({
		read(data) {
			if (data === "[DONE]") return { ends: true };
			if (!isJson(data)) return { unreadable: true };
			const ends = HAS_FINISH.test(data);
			const fails = startsWithError.test(data) && Boolean(chunkOf(data)?.error);
			if (!HAS_USAGE.test(data)) return { ends, fails };
			const chunk = chunkOf(data);
			const found = readUsage(chunk?.usage);
			if (found) usage = found;
			return { ends, fails, carriesUsage: true, hold: found !== undefined && chunk?.choices?.length === 0 && !forwardUsage };
		},
		usage: () => usage,
		chars: (data) => (chunkOf(data)?.choices ?? []).reduce((n, choice) => n + deltaChars(choice.delta), 0),
		errorEvent: (message) => sse({ error: { message, type: "api_error", code: "upstream_error" } }),
	});
}
