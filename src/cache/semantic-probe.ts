import { canonicalJson } from "../lib/canonical-json";
import { sha256Hex } from "../lib/crypto";
import { type ChatRequest, partsOf, textOf } from "../protocols/ir";
import type { ChatCall } from "../relay/request";
import type { CacheSettings } from "../types/cache-settings";
import { answering } from "./normalize";
import { literalsOf } from "./semantic-literals";

/** What a request is searched and remembered by: the text of its final user message, and the exact filter. */
export interface SemanticProbe {
	text: string;
	/** SHA-256 (hex) of everything that must be equal for a stored answer to serve: see `semanticProbe`. */
	filter: string;
}

/**
 * Longer final messages are left to the exact cache: past a few paragraphs one changed figure or name barely moves an
 * embedding (the long near misses of docs/PERFORMANCE.md score 0.98), such prompts are rarely asked again in other
 * words, and each lookup would pay to embed them.
 */
export const MAX_PROBE_CHARS = 4000;

/**
 * The probe of a request eligible for the semantic cache, or undefined. Not eligible: a key whose cache is not in
 * semantic mode; a request whose last message is not the user's, or holds no text, or more than MAX_PROBE_CHARS.
 * Nor, unless the key's `semantic_any` says otherwise, a request whose answer may rightly differ from one asked in
 * other words: with tools (a tool call answers a question about the world now), with images (the text alone does not
 * say what is asked), with more than one choice (`n`), or with a temperature other than 0. An absent temperature is
 * the provider's default, which is 1 for OpenAI and Anthropic: such a client asked for varied answers, so only an
 * explicit `temperature: 0` is eligible.
 *
 * The filter is a hash of all the request but the final message's text: the model (after aliasing), the system
 * prompt and every earlier turn, the final message's other parts and name, every other field that changes the answer
 * (temperature, max tokens, response format …), the client's own body but for the fields that carry the conversation,
 * and the text's literals (its numbers and negations, src/cache/semantic-literals.ts). An answer is served only to a
 * request that shares all of them.
 */
export async function semanticProbe(call: Pick<ChatCall, "chat" | "native">, model: string, settings: CacheSettings): Promise<SemanticProbe | undefined> {
	if (settings.mode !== "semantic") return undefined;
	const { chat } = call;
	const last = chat.messages.at(-1);
	if (last?.role !== "user") return undefined;
	const text = textOf(last.content).trim();
	if (text === "" || text.length > MAX_PROBE_CHARS) return undefined;
	if (!settings.semantic_any && mayVary(chat)) return undefined;
	const parts = partsOf(last.content);
	const texts = new Set([textOf(last.content), ...parts.flatMap((p) => (p.type === "text" && p.text !== "" ? [p.text] : []))]);
	const filter = await sha256Hex(
		canonicalJson({
			v: 1,
			model,
			chat: { ...answering(chat), messages: [...chat.messages.slice(0, -1), { ...last, content: parts.filter((p) => p.type !== "text") }] },
			native: withoutConversation(answering(call.native), texts),
			literals: literalsOf(text),
		}),
	);
	return { text, filter };
}

/** Whether a request asks for answers that may differ from one another (see `semanticProbe`). */
function mayVary(chat: ChatRequest): boolean {
	const n = chat.n;
	return (
		(chat.tools?.length ?? 0) > 0 ||
		chat.temperature !== 0 ||
		(typeof n === "number" && n > 1) ||
		chat.messages.some((m) => partsOf(m.content).some((p) => p.type !== "text"))
	);
}

/**
 * The client's body without the fields that carry the final message (`messages`, `contents`, `input`, `query` …,
 * whatever the dialect calls them; the internal representation holds the conversation): what is left are the
 * dialect's own options, which a channel of the same wire receives as they are.
 */
function withoutConversation(native: Record<string, unknown>, texts: ReadonlySet<string>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(native).filter(([, v]) => !holds(v, texts)));
}

function holds(value: unknown, texts: ReadonlySet<string>): boolean {
	if (typeof value === "string") return texts.has(value);
	if (Array.isArray(value)) return value.some((v) => holds(v, texts));
	if (typeof value === "object" && value !== null) return Object.values(value).some((v) => holds(v, texts));
	return false;
}
