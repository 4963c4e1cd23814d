import { z } from "zod";

/** The purposes OpenAI accepts on upload (`FilePurpose` in the openai package). */
export const filePurpose = z.enum(["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]);

/** OpenAI's `FileObject`: times in seconds. */
export const fileObject = z.object({
	id: z.string(),
	object: z.literal("file"),
	bytes: z.number().int(),
	created_at: z.number().int(),
	filename: z.string(),
	purpose: z.string(),
	status: z.enum(["uploaded", "processed", "error"]),
	expires_at: z.number().int().optional(),
});

export const fileList = z.object({
	object: z.literal("list"),
	data: z.array(fileObject),
	first_id: z.string().nullable(),
	last_id: z.string().nullable(),
	has_more: z.boolean(),
});

export const fileDeleted = z.object({ id: z.string(), object: z.literal("file"), deleted: z.literal(true) });

export const fileListQuery = z.object({
	after: z.string().max(64).optional(),
	limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
	order: z.enum(["asc", "desc"]).default("desc"),
	purpose: z.string().max(64).optional(),
});

export const fileIdParam = z.object({ file_id: z.string().max(64) });

/**
 * The form fields of an upload besides `file`. The SDK sends `expires_after` as bracketed fields; OpenAI allows one
 * hour to thirty days after creation.
 */
export const fileUploadFields = z.object({
	purpose: filePurpose,
	"expires_after[anchor]": z.literal("created_at").optional(),
	"expires_after[seconds]": z.coerce.number().int().min(3600).max(2_592_000).optional(),
});

/** OpenAI's default for `purpose=batch` when no `expires_after` is sent; other files are kept until deleted. */
export const BATCH_FILE_TTL_SECONDS = 2_592_000;
