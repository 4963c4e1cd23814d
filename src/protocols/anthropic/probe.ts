import type { StreamProbe } from "../codec";
import { parseJson, sse } from "../sse";
import { readUsage, type Usage } from "../usage";
import type { AnthropicUsage } from "./types";
import { chatUsage } from "./usage";

type Event = {
	type?: string;
	message?: { usage?: Partial<AnthropicUsage> };
	usage?: Partial<AnthropicUsage>;
	delta?: { text?: unknown; thinking?: unknown; partial_json?: unknown };
};

/** Anthropic's own stream passed through: usage from message_start and message_delta, complete at message_stop. */
export function anthropicProbe(): StreamProbe {
	const usage: Partial<AnthropicUsage> = {};
	let seen = false;
	let complete = false;
	let failed = false;
	let chars = 0;
	return {
		inspect(data) {
			const e = parseJson(data) as Event | undefined;
			if (e?.type === "content_block_delta") {
				const d = e.delta;
				for (const v of [d?.text, d?.thinking, d?.partial_json]) if (typeof v === "string") chars += v.length;
			} else if (e?.type === "message_start" || e?.type === "message_delta") {
				const u = e.type === "message_start" ? e.message?.usage : e.usage;
				for (const [k, v] of Object.entries(u ?? {})) if (typeof v === "number") usage[k as keyof AnthropicUsage] = v;
				seen = true;
			} else if (e?.type === "message_stop") complete = true;
			else if (e?.type === "error") failed = true;
			return true;
		},
		get complete() {
			return complete && !failed;
		},
		get failed() {
			return failed;
		},
		get usage(): Usage | undefined {
			// The same mapping as a whole message's usage: cache reads and writes counted into the prompt.
			return seen ? readUsage(chatUsage(usage)) : undefined;
		},

		deliveredChars: () => chars,
		errorEvent: (message) => sse({ type: "error", error: { type: "api_error", message } }, "error"),
	};
}
