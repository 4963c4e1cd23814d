import { z } from "zod";
import { type CitedDialect, citationsAnnotation } from "../answer-citations";
import type { AnswerAnnotation } from "../codec";
import { excerptsText, type FileSearch } from "../file-search";
import type { MessagesInput } from "./schema";

/** A body passed through to an Anthropic channel: the excerpts follow the caller's own system prompt. */
export function withExcerptsSystem<B extends Pick<MessagesInput, "system">>(body: B, search: FileSearch): B {
	const excerpts = excerptsText(search);
	const { system } = body;
	if (system === undefined || system === "") return { ...body, system: excerpts };
	if (typeof system === "string") return { ...body, system: `${system}\n\n${excerpts}` };
	return { ...body, system: [...system, { type: "text", text: excerpts }] };
}

const textBlocks = z.looseObject({ content: z.array(z.looseObject({ type: z.string(), text: z.unknown() })) });
const textDelta = z.looseObject({ type: z.literal("content_block_delta"), delta: z.looseObject({ type: z.literal("text_delta"), text: z.string() }) });

const messages: CitedDialect = {
	answerText: (json) =>
		(textBlocks.safeParse(json).data?.content ?? []).flatMap((b) => (b.type === "text" && typeof b.text === "string" ? [b.text] : [])).join(""),
	eventText: (json) => ({ text: textDelta.safeParse(json).data?.delta.text ?? "", ends: json.type === "message_delta" }),
};

/** The `file_search` extension on /v1/messages; a stream's citations ride on `message_delta`, which has the stop reason. */
export const messagesCitations = (search: FileSearch): AnswerAnnotation => citationsAnnotation(search, messages);
