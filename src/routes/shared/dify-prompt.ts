import type { Context } from "hono";
import type { AppRow } from "../../conversations/apps";
import type { AppEnv } from "../../env";
import { GatewayError } from "../../errors/gateway-error";
import { findFile } from "../../knowledge/files/store";
import { searchStores } from "../../knowledge/search";
import { findStore, type StoreRow } from "../../knowledge/vector-stores";
import { randomBase62 } from "../../lib/crypto";
import { imageType } from "../../lib/image-type";
import type { RetrieverResource } from "../../protocols/dify/events";
import type { FileSearch } from "../../protocols/file-search";
import type { ChatImagePart } from "../../protocols/ir";
import type { ContentPart } from "../../protocols/responses/input-items";
import type { ImageFile } from "../dify-schemas";

/** The files an app's end users upload for vision models (POST /dify/v1/files/upload): `purpose` of the Files API. */
export const VISION_PURPOSE = "vision";

/** The app's system prompt with `{{name}}` filled from `inputs`; a variable not given is left empty, as Dify does. */
export function fillInputs(prompt: string, inputs: Record<string, string>): string {
	return prompt.replace(/\{\{\s*([\w-]+)\s*\}\}/g, (_, name: string) => inputs[name] ?? "");
}

/** `inputs` as a conversation keeps them: strings (Dify's form values), nulls left out. */
export function inputStrings(inputs: Record<string, string | number | boolean | null> | null | undefined): Record<string, string> {
	return Object.fromEntries(Object.entries(inputs ?? {}).flatMap(([k, v]) => (v === null ? [] : [[k, String(v)]])));
}

function base64(bytes: Uint8Array): string {
	let text = "";
	for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(text);
}

/**
 * A message's images, for the model (a local upload as a data URL: the channel cannot reach R2) and for the stored
 * item (the upload's id or the remote URL, never the bytes). An upload must be one of the app owner's images.
 */
export async function imageParts(env: Env, files: readonly ImageFile[], ownerId: number): Promise<{ forModel: ChatImagePart[]; stored: ContentPart[] }> {
	const forModel: ChatImagePart[] = [];
	const stored: ContentPart[] = [];
	for (const f of files) {
		if (f.transfer_method === "remote_url") {
			forModel.push({ type: "image_url", image_url: { url: f.url } });
			stored.push({ type: "input_image", image_url: f.url, detail: "auto" });
			continue;
		}
		const row = await findFile(env, f.upload_file_id);
		if (!row || row.userId !== ownerId || row.purpose !== VISION_PURPOSE) {
			throw new GatewayError("invalid_request", `No uploaded image '${f.upload_file_id}'`, { param: "files" });
		}
		const object = await env.FILES.get(row.r2Key);
		if (!object) throw new GatewayError("internal_error", `The image ${row.id} could not be read`);
		const bytes = new Uint8Array(await object.arrayBuffer());
		forModel.push({ type: "image_url", image_url: { url: `data:${imageType(bytes)?.type ?? row.contentType};base64,${base64(bytes)}` } });
		stored.push({ type: "input_image", file_id: row.id, detail: "auto" });
	}
	return { forModel, stored };
}

/** The app's stores that still exist: one deleted since the app was set up is left out, not a failure of every chat. */
async function liveStores(env: Env, app: AppRow): Promise<StoreRow[]> {
	const found = await Promise.all(app.vectorStoreIds.map((id) => findStore(env.DB, id, app.ownerId).catch(() => undefined)));
	return found.filter((s): s is StoreRow => s !== undefined);
}

/**
 * Retrieval over the app's vector stores with its top-k and score threshold, as the app's key (the query's
 * embedding billed to it): the excerpts for the model, and the same as Dify's `retriever_resources`.
 */
export async function appRetrieval(c: Context<AppEnv>, app: AppRow, question: string): Promise<{ search: FileSearch; resources: RetrieverResource[] }> {
	const stores = await liveStores(c.env, app);
	const context = {
		env: c.env,
		waitUntil: (w: Promise<unknown>) => c.executionCtx.waitUntil(w),
		caller: c.get("caller"),
		requestId: c.get("requestId"),
		trace: c.get("trace"),
	};
	const hits =
		question.trim() && stores.length
			? await searchStores(context, stores, { query: question, maxResults: app.retrievalTopK, scoreThreshold: app.scoreThreshold ?? 0 })
			: [];
	const names = new Map(stores.map((s) => [s.id, s.name ?? ""]));
	return {
		search: {
			id: randomBase62("fs_", 24),
			queries: [question],
			hits: hits.map((h) => ({ file_id: h.fileId, filename: h.filename, score: h.score, text: h.text, attributes: h.attributes })),
			includeResults: false,
		},
		resources: hits.map((h, i) => ({
			position: i + 1,
			dataset_id: h.vectorStoreId,
			dataset_name: names.get(h.vectorStoreId) ?? "",
			document_id: h.fileId,
			document_name: h.filename,
			segment_id: String(h.chunkId),
			score: h.score,
			content: h.text,
		})),
	};
}
