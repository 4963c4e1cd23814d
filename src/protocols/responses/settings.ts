import type { ResponsesRequest } from "./request-schema";
import type { ReasoningEffort, ResponseSettings, ResponseToolChoice } from "./types";

type Summary = ResponseSettings["reasoning"]["summary"];

const EFFORTS: readonly string[] = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] satisfies ReasoningEffort[];
const SUMMARIES: readonly string[] = ["auto", "concise", "detailed"] satisfies Summary[];
const isEffort = (v: string | null | undefined): v is ReasoningEffort => !!v && EFFORTS.includes(v);
const isSummary = (v: string | null | undefined): v is NonNullable<Summary> => !!v && SUMMARIES.includes(v);

function toolChoiceOf(choice: ResponsesRequest["tool_choice"]): ResponseToolChoice {
	if (!choice) return "auto";
	if (typeof choice === "string") return choice;
	if (choice.type === "function" && choice.name) return { type: "function", name: choice.name };
	if (choice.type === "allowed_tools" && choice.mode) return { type: "allowed_tools", mode: choice.mode, tools: choice.tools ?? [] };
	return "auto";
}

/** The conversation a request names, by id or as `{id}`; its object form is what a Response echoes. */
export function conversationOf(conversation: ResponsesRequest["conversation"]): { id: string } | null {
	if (!conversation) return null;
	return typeof conversation === "string" ? { id: conversation } : { id: conversation.id };
}

/**
 * What a Response echoes of its request, as OpenAI's does; a setting the client left out reads as null (or the
 * API's documented default) since the gateway cannot know the upstream's own default.
 */
export function settingsOf(req: ResponsesRequest | undefined): ResponseSettings {
	const effort = req?.reasoning?.effort;
	const summary = req?.reasoning?.summary;
	return {
		instructions: req?.instructions ?? null,
		tools: (req?.tools ?? []).flatMap((t) =>
			t.type === "function" && t.name
				? [{ type: "function", name: t.name, description: t.description ?? null, parameters: t.parameters ?? null, strict: t.strict ?? null }]
				: [],
		),
		tool_choice: toolChoiceOf(req?.tool_choice),
		temperature: req?.temperature ?? null,
		top_p: req?.top_p ?? null,
		parallel_tool_calls: req?.parallel_tool_calls ?? true,
		max_output_tokens: req?.max_output_tokens ?? null,
		text: { format: req?.text?.format ?? { type: "text" } },
		reasoning: {
			effort: isEffort(effort) ? effort : null,
			summary: isSummary(summary) ? summary : null,
		},
		metadata: req?.metadata ?? {},
		truncation: req?.truncation ?? "disabled",
		...(req?.user ? { user: req.user } : {}),
		store: req?.store ?? true,
		previous_response_id: req?.previous_response_id ?? null,
		conversation: conversationOf(req?.conversation),
	};
}
