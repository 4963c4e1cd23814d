import { parseJson, type SseMapper, sse } from "./sse";

/** How much of the delivered text a continuation is compared with at the seam. */
const TAIL_CHARS = 200;
/** A shorter repeat is let through: a few characters may repeat by right ("the", a comma). */
const MIN_OVERLAP = 4;

const BOUNDARY = /[\s\p{P}]/u;

/** The length of the longest start of `text` that repeats the end of `tail` from a word boundary, if long enough. */
function overlap(tail: string, text: string): number {
	for (let k = Math.min(tail.length, text.length); k >= MIN_OVERLAP; k--) {
		const at = tail.length - k;
		const boundary = at === 0 || BOUNDARY.test(tail.charAt(at - 1)) || BOUNDARY.test(text.charAt(0));
		if (boundary && tail.endsWith(text.slice(0, k))) return k;
	}
	return 0;
}

/**
 * What of a continuation's first text goes to the client, or undefined while it could still be a repeat of the
 * delivered tail (it is held until it cannot, or until `final`). A space the delivered text already ends with is not
 * doubled; a leading repeat of the tail is dropped. Anything else goes out as the model wrote it.
 */
export function seamText(tail: string, held: string, final: boolean): string | undefined {
	if (!tail) return held;
	const text = /\s$/.test(tail) ? held.trimStart() : held;
	if (!text) return final ? "" : undefined;
	if (!final && tail.includes(text)) return undefined;
	return text.slice(overlap(tail, text));
}

interface ChunkChoice {
	index?: unknown;
	delta?: { content?: unknown; role?: unknown; [field: string]: unknown };
	finish_reason?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The chunks of a continuation (internal representation) as they join the broken stream: the first text is checked
 * against what was delivered (see seamText), the role announcement is dropped (the answer has begun already), and
 * the chunks take the broken stream's id, so the client sees one answer. Once text was delivered, the
 * continuation's reasoning is left out: the client's answer is past it.
 */
export function seamMapper(delivered: string, id: string | undefined): SseMapper {
	const tail = delivered.slice(-TAIL_CHARS);
	let deciding = true;
	let held = "";
	const release = (final: boolean): string | undefined => {
		const text = seamText(tail, held, final);
		if (text !== undefined) deciding = false;
		return text;
	};
	const textChunk = (content: string) => ({
		...(id ? { id } : {}),
		object: "chat.completion.chunk",
		choices: [{ index: 0, delta: { content }, finish_reason: null }],
	});
	return {
		map({ data }) {
			if (data === "[DONE]") {
				const rest = deciding ? release(true) : undefined;
				return (rest ? sse(textChunk(rest)) : "") + sse(data);
			}
			const chunk = parseJson(data);
			if (!isObject(chunk)) return sse(data);
			if (id && typeof chunk.id === "string") chunk.id = id;
			const choices: unknown[] = Array.isArray(chunk.choices) ? chunk.choices : [];
			const choice = isObject(choices[0]) ? (choices[0] as ChunkChoice) : undefined;
			if (!choice) return sse(chunk);
			const delta = isObject(choice.delta) ? choice.delta : {};
			delete delta.role;
			// The client is reading the answer's text: a continuation that thinks again has nothing to add to it.
			if (tail) {
				delete delta.reasoning_content;
				delete delta.reasoning_signature;
			}
			if (deciding && (typeof delta.content === "string" || choice.finish_reason)) {
				held += typeof delta.content === "string" ? delta.content : "";
				const text = release(Boolean(choice.finish_reason));
				if (text) delta.content = text;
				else delete delta.content;
			}
			choice.delta = delta;
			const idle = Object.keys(delta).length === 0 && !choice.finish_reason && !chunk.usage && choices.length === 1;
			return idle ? "" : sse(chunk);
		},
		end: () => "",
	};
}
