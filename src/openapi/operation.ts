import type { z } from "zod";

/** One API operation, described from the same zod schemas its route validates with. */
export interface OperationDoc {
	method: "get" | "post" | "put" | "patch" | "delete";
	/** OpenAPI form: `/api/channels/{id}`. */
	path: string;
	summary: string;
	tag:
		| "Relay"
		| "Auth"
		| "Channels"
		| "Tokens"
		| "Users"
		| "Prices"
		| "Usage"
		| "Cache"
		| "Billing"
		| "Audit"
		| "Jobs"
		| "Alerts"
		| "Files"
		| "Vector stores"
		| "Batches"
		| "Conversations"
		| "Memory"
		| "Apps"
		| "Dify"
		| "Models"
		| "Operations"
		| "Security"
		| "Meta";
	/**
	 * admin: the operator's token (or an admin's dashboard session); key: a gateway key (relay); user: the operator,
	 * or a user by their gateway key or dashboard session, seeing only their own data; keyOrSession: a gateway key, or
	 * a dashboard session naming one of its user's keys in `x-gateway-key-id` (the knowledge routes and /mem0);
	 * appKey: an app key (/dify/v1).
	 */
	auth: "admin" | "key" | "user" | "keyOrSession" | "none" | "appKey";
	body?: z.ZodType;
	/** How the body is sent, when not as JSON (an upload: its file is a `format: binary` string in the schema). */
	bodyType?: "multipart/form-data";
	query?: z.ZodType;
	response?: z.ZodType;
	/** Statuses other than 200 the operation answers with, besides the errors every route may return. */
	errors?: number[];
	/** Content types the success body may have besides JSON (`audio/*`: bytes, others: text). */
	alsoAnswers?: readonly string[];
	/** The body is streamed as server-sent events when the request asks for it. */
	streams?: boolean;
}
