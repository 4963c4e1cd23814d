import { sse } from "../sse";

/** How a Gemini stream's responses are framed: SSE events (`alt=sse`), or the elements of one JSON array (Gemini's default). */
export type GeminiStreamForm = "sse" | "json-array";

export interface Framing {
	/** One response, given as its JSON text. */
	event(json: string): string;
	close(): string;
}

export function framing(form: GeminiStreamForm): Framing {
	if (form === "sse") return { event: (json) => sse(json), close: () => "" };
	let opened = false;
	return {
		event(json) {
			const lead = opened ? ",\r\n" : "[";
			opened = true;
			return lead + json;
		},
		close: () => (opened ? "]" : "[]"),
	};
}
