import { z } from "zod";
import { type CitedDialect, citationsAnnotation } from "../answer-citations";
import type { AnswerAnnotation } from "../codec";
import type { FileSearch } from "../file-search";

const textBlocks = z.looseObject({ content: z.array(z.looseObject({ type: z.string(), text: z.unknown() })) });
const textDelta = z.looseObject({ type: z.literal("content_block_delta"), delta: z.looseObject({ type: z.literal("text_delta"), text: z.string() }) });

const messages: CitedDialect = {
	answerText: (json) =>
		(textBlocks.safeParse(json).data?.content ?? []).flatMap((b) => (b.type === "text" && typeof b.text === "string" ? [b.text] : [])).join(""),
	eventText: (json) => ({ text: textDelta.safeParse(json).data?.delta.text ?? "", ends: json.type === "message_delta" }),
};

/** The `file_search` extension on /v1/messages; a stream's citations ride on `message_delta`, which has the stop reason. */
export const messagesCitations = (search: FileSearch): AnswerAnnotation => citationsAnnotation(search, messages);
