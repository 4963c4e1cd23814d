import { z } from "zod";

/** Dify's `user`: the app's end user, named by the app's client; conversations and memories are kept per end user. */
const endUser = z.string().trim().min(1).max(256);
const limit = (max: number) => z.coerce.number().int().min(1).max(max).default(20);

/** Images an end user may attach to one message. */
export const IMAGES_PER_MESSAGE = 3;

const imageFile = z.discriminatedUnion("transfer_method", [
	z.looseObject({ type: z.literal("image"), transfer_method: z.literal("local_file"), upload_file_id: z.string().min(1).max(100) }),
	z.looseObject({ type: z.literal("image"), transfer_method: z.literal("remote_url"), url: z.url({ protocol: /^https?$/ }).max(2_048) }),
]);

export const chatMessageCreate = z.object({
	/** Values for the `{{name}}` variables of the app's system prompt; a conversation keeps its first message's. */
	inputs: z.record(z.string().max(64), z.union([z.string().max(4_000), z.number(), z.boolean(), z.null()])).nullish(),
	query: z.string().trim().min(1).max(100_000),
	user: endUser,
	response_mode: z.enum(["blocking", "streaming"]).default("blocking"),
	/** Empty or absent: a new conversation. */
	conversation_id: z.string().max(100).nullish(),
	files: z.array(imageFile).max(IMAGES_PER_MESSAGE).nullish(),
	auto_generate_name: z.boolean().nullish(),
});

export type ChatMessageCreate = z.output<typeof chatMessageCreate>;
export type ImageFile = z.output<typeof imageFile>;

export const userQuery = z.looseObject({ user: endUser });
export const userQueryOptional = z.looseObject({ user: endUser.optional() });
export const userBody = z.looseObject({ user: endUser });

export const conversationListQuery = z.looseObject({ user: endUser, last_id: z.string().max(100).optional(), limit: limit(100) });
export const messageListQuery = z.looseObject({
	user: endUser,
	conversation_id: z.string().min(1).max(100),
	first_id: z.string().max(100).optional(),
	limit: limit(100),
});

export const conversationParam = z.object({ conversation_id: z.string().min(1).max(100) });
export const messageParam = z.object({ message_id: z.string().min(1).max(100) });
export const taskParam = z.object({ task_id: z.string().min(1).max(100) });

export const renameBody = z
	.looseObject({ name: z.string().trim().max(255).nullish(), auto_generate: z.boolean().nullish(), user: endUser })
	.refine((b) => b.auto_generate === true || (b.name ?? "") !== "", { message: "give a name, or auto_generate: true", path: ["name"] });

/** `user` in the body, as dify-client sends it on DELETE, or in the query. */
export const deleteBody = z.looseObject({ user: endUser.optional() });

export const feedbackBody = z.looseObject({ rating: z.enum(["like", "dislike"]).nullable(), user: endUser, content: z.string().max(4_000).nullish() });

const usage = z.object({
	prompt_tokens: z.number(),
	prompt_unit_price: z.string(),
	prompt_price_unit: z.string(),
	prompt_price: z.string(),
	completion_tokens: z.number(),
	completion_unit_price: z.string(),
	completion_price_unit: z.string(),
	completion_price: z.string(),
	total_tokens: z.number(),
	total_price: z.string(),
	currency: z.string(),
	latency: z.number(),
});

const retrieverResource = z.object({
	position: z.number(),
	dataset_id: z.string(),
	dataset_name: z.string(),
	document_id: z.string(),
	document_name: z.string(),
	segment_id: z.string(),
	score: z.number(),
	content: z.string(),
});

export const chatAnswer = z.object({
	event: z.literal("message"),
	task_id: z.string(),
	id: z.string(),
	message_id: z.string(),
	conversation_id: z.string(),
	mode: z.literal("chat"),
	answer: z.string(),
	metadata: z.object({ usage, retriever_resources: z.array(retrieverResource) }),
	created_at: z.number(),
});

export const conversationView = z.object({
	id: z.string(),
	name: z.string(),
	inputs: z.record(z.string(), z.string()),
	status: z.literal("normal"),
	introduction: z.string(),
	created_at: z.number(),
	updated_at: z.number(),
});

export const conversationList = z.object({ limit: z.number(), has_more: z.boolean(), data: z.array(conversationView) });

export const messageView = z.object({
	id: z.string(),
	conversation_id: z.string(),
	inputs: z.record(z.string(), z.string()),
	query: z.string(),
	answer: z.string(),
	status: z.string(),
	message_files: z.array(z.object({ id: z.string(), type: z.literal("image"), url: z.string(), belongs_to: z.literal("user") })),
	feedback: z.object({ rating: z.enum(["like", "dislike"]) }).nullable(),
	retriever_resources: z.array(retrieverResource),
	created_at: z.number(),
});

export const messageList = z.object({ limit: z.number(), has_more: z.boolean(), data: z.array(messageView) });

export const resultSuccess = z.object({ result: z.literal("success") });

export const appParameters = z.object({
	opening_statement: z.string(),
	suggested_questions: z.array(z.string()),
	suggested_questions_after_answer: z.object({ enabled: z.boolean() }),
	speech_to_text: z.object({ enabled: z.boolean() }),
	retriever_resource: z.object({ enabled: z.boolean() }),
	annotation_reply: z.object({ enabled: z.boolean() }),
	user_input_form: z.array(z.unknown()),
	file_upload: z.object({
		image: z.object({ enabled: z.boolean(), number_limits: z.number(), detail: z.string(), transfer_methods: z.array(z.string()) }),
	}),
	system_parameters: z.object({ image_file_size_limit: z.number() }),
});

export const uploadedFile = z.object({
	id: z.string(),
	name: z.string(),
	size: z.number(),
	extension: z.string(),
	mime_type: z.string(),
	created_by: z.string(),
	created_at: z.number(),
});
