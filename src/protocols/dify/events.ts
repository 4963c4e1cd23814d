import { z } from "zod";
import { parseEvent } from "../stream-json";
import type { DifyUsage } from "./usage";

/** One excerpt retrieval gave the model, as Dify lists it in `retriever_resources`. */
export type RetrieverResource = {
	position: number;
	dataset_id: string;
	dataset_name: string;
	document_id: string;
	document_name: string;
	segment_id: string;
	score: number;
	content: string;
};

/** The identifiers every event of one answer carries. */
export interface TurnIds {
	taskId: string;
	messageId: string;
	conversationId: string;
	/** Seconds, as Dify counts them. */
	createdAt: number;
}

export interface TurnMetadata {
	usage: DifyUsage;
	retriever_resources: RetrieverResource[];
}

const frame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

/** A piece of the answer (Dify's `message` event). */
export function messageEvent(t: TurnIds, answer: string): string {
	return frame({
		event: "message",
		task_id: t.taskId,
		id: t.messageId,
		message_id: t.messageId,
		conversation_id: t.conversationId,
		answer,
		created_at: t.createdAt,
	});
}

/** The answer's end, with what it cost and what it cited. */
export function messageEndEvent(t: TurnIds, metadata: TurnMetadata): string {
	return frame({ event: "message_end", task_id: t.taskId, id: t.messageId, message_id: t.messageId, conversation_id: t.conversationId, metadata });
}

/** A failure after the stream began: Dify's clients read it as the stream's last event. */
export function errorEvent(t: TurnIds, status: number, code: string, message: string): string {
	return frame({ event: "error", task_id: t.taskId, message_id: t.messageId, conversation_id: t.conversationId, status, code, message });
}

/** Dify's keep-alive, so that proxies and clients do not time out a slow answer. */
export const PING_EVENT = "event: ping\n\n";

/** A blocking answer: the same data as the stream's, in one JSON. */
export function blockingAnswer(t: TurnIds, answer: string, metadata: TurnMetadata) {
	return {
		event: "message",
		task_id: t.taskId,
		id: t.messageId,
		message_id: t.messageId,
		conversation_id: t.conversationId,
		mode: "chat",
		answer,
		metadata,
		created_at: t.createdAt,
	};
}

const chunk = z.looseObject({
	choices: z.array(z.looseObject({ delta: z.looseObject({ content: z.string().nullish() }).nullish() })).optional(),
	error: z.looseObject({ message: z.string().optional(), code: z.unknown().optional() }).optional(),
});

/** What one OpenAI chat chunk says: a piece of text, a failure, or nothing the answer shows (usage, roles, `[DONE]`). */
export type ChunkReading = { kind: "text"; text: string } | { kind: "error"; message: string } | { kind: "none" };

export function readChunk(data: string): ChunkReading {
	if (data === "[DONE]") return { kind: "none" };
	const parsed = parseEvent(chunk, data);
	if (!parsed) return { kind: "error", message: "The model's answer could not be read" };
	if (parsed.error) return { kind: "error", message: parsed.error.message ?? "The model failed while answering" };
	const text = (parsed.choices ?? []).map((c) => c.delta?.content ?? "").join("");
	return text ? { kind: "text", text } : { kind: "none" };
}
