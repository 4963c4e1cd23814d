import { Hono } from "hono";
import type { z } from "zod";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { storeFile } from "../knowledge/files/store";
import { imageType } from "../lib/image-type";
import { difyAuth } from "../middleware/dify-auth";
import { type uploadedFile, userBody } from "./dify-schemas";
import { VISION_PURPOSE } from "./shared/dify-prompt";
import { readUpload } from "./shared/multipart-upload";

/** Dify's image limit for one upload; FILES_MAX_BYTES bounds it further. */
const IMAGE_MAX_BYTES = 10 * 1_048_576;

/**
 * Dify's file upload (multipart `file` and `user`): an image for a vision model, kept in R2 as a file of the app's
 * owner (the Files API's `vision` purpose, counted in their quota), then named in a chat message's `files`.
 */
export const difyFileRoutes = new Hono<AppEnv>().post("/files/upload", difyAuth(), async (c) => {
	const { filesMaxBytes, filesQuotaBytesPerUser } = config(c.env);
	const { file, fields } = await readUpload(c, Math.min(filesMaxBytes, IMAGE_MAX_BYTES));
	const user = userBody.safeParse(fields);
	if (!user.success) throw new GatewayError("invalid_request", "'user' is required: send it as a form field", { param: "user" });
	const bytes = new Uint8Array(await file.arrayBuffer());
	const image = imageType(bytes);
	if (!image) throw new GatewayError("invalid_request", "Only images (PNG, JPEG, GIF, WebP) may be uploaded here", { param: "file", status: 415 });
	const row = await storeFile(c.env, {
		userId: c.get("caller").userId,
		filename: file.name || `upload.${image.extension}`,
		purpose: VISION_PURPOSE,
		bytes,
		expiresAt: null,
		quotaBytes: filesQuotaBytesPerUser,
	});
	const body: z.infer<typeof uploadedFile> = {
		id: row.id,
		name: row.filename,
		size: row.bytes,
		extension: image.extension,
		mime_type: image.type,
		created_by: user.data.user,
		created_at: Math.floor(row.createdAt / 1000),
	};
	return c.json(body, 201);
});
