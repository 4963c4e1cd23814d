import { vectorIndex } from "../knowledge/vector-index";
import { bumpEpoch, forgetScopes } from "../memory/search-generations";

/**
 * The pages a purge removes a user's data in, one bounded step each: a few D1 statements, at most one R2 call and one
 * vector-index call per dimension. A step returns how many objects it removed; 0 means its kind of data is gone.
 * Steps are idempotent, so a step a crash interrupted is simply run again.
 */
export type PurgeStep = (env: Env, userId: number) => Promise<number>;

/** Vector ids per delete: Vectorize takes at most 1,000. */
const VECTOR_PAGE = 1000;
/** Files per page: R2 deletes up to 1,000 keys a call; D1 rows go as one JSON parameter. */
const FILE_PAGE = 200;
const MEMORY_PAGE = 500;
const CONVERSATION_PAGE = 50;
const ROW_PAGE = 1000;

const changes = (r: D1Result) => r.meta.changes ?? 0;

/**
 * One of the user's vector stores: a page of its chunks (their vectors, then their rows) or, when none are left, its
 * files, batches and row. Stores go before files: a file's chunks live in the stores.
 */
export const vectorStoresStep: PurgeStep = async (env, userId) => {
	const store = await env.DB.prepare("SELECT id, dimensions FROM vector_stores WHERE user_id = ?1 LIMIT 1")
		.bind(userId)
		.first<{ id: string; dimensions: number | null }>();
	if (!store) return 0;
	const { results } = await env.DB.prepare("SELECT id FROM chunks WHERE vector_store_id = ?1 LIMIT ?2").bind(store.id, VECTOR_PAGE).all<{ id: number }>();
	if (results.length > 0) {
		const ids = results.map((r) => String(r.id));
		if (store.dimensions !== null) await vectorIndex(env, store.dimensions).deleteByIds(ids);
		await env.DB.prepare("DELETE FROM chunks WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(ids)).run();
		return results.length;
	}
	await env.DB.batch([
		env.DB.prepare("DELETE FROM vector_store_files WHERE vector_store_id = ?1").bind(store.id),
		env.DB.prepare("DELETE FROM vector_store_file_batches WHERE vector_store_id = ?1").bind(store.id),
		env.DB.prepare("DELETE FROM vector_stores WHERE id = ?1").bind(store.id),
	]);
	return 1;
};

/** A page of the user's uploads: their objects in R2, then their rows (and any store membership left of them). */
export const filesStep: PurgeStep = async (env, userId) => {
	const { results } = await env.DB.prepare("SELECT id, r2_key FROM files WHERE user_id = ?1 LIMIT ?2")
		.bind(userId, FILE_PAGE)
		.all<{ id: string; r2_key: string }>();
	if (results.length === 0) return 0;
	// R2 deletes are idempotent: an object already gone is not an error.
	await env.FILES.delete(results.map((r) => r.r2_key));
	const ids = JSON.stringify(results.map((r) => r.id));
	await env.DB.batch([
		env.DB.prepare("DELETE FROM vector_store_files WHERE file_id IN (SELECT value FROM json_each(?1))").bind(ids),
		env.DB.prepare("DELETE FROM files WHERE id IN (SELECT value FROM json_each(?1))").bind(ids),
	]);
	return results.length;
};

/**
 * A page of the user's memories: their vectors (per dimension they were indexed at), then their rows, with a new
 * epoch for their memory searches so that none cached before is served again.
 */
export const memoriesStep: PurgeStep = async (env, userId) => {
	const { results } = await env.DB.prepare("SELECT seq, id, dimensions FROM memories WHERE owner_id = ?1 LIMIT ?2")
		.bind(userId, MEMORY_PAGE)
		.all<{ seq: number; id: string; dimensions: number | null }>();
	if (results.length === 0) return 0;
	const byDimensions = new Map<number, string[]>();
	for (const r of results) if (r.dimensions !== null) byDimensions.set(r.dimensions, [...(byDimensions.get(r.dimensions) ?? []), r.id]);
	for (const [dimensions, ids] of byDimensions) await vectorIndex(env, dimensions).deleteByIds(ids);
	await env.DB.batch([
		env.DB.prepare("DELETE FROM memories WHERE seq IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(results.map((r) => r.seq))),
		bumpEpoch(env, userId),
	]);
	return results.length;
};

/**
 * What Mem0 keeps beside the memories, content included: their history, the add events, the feedback, and the
 * entity ids their search generations name. The epoch moves on in the same batch (and is not counted as removed):
 * a generation deleted reads 0 again, which an old cached search may have seen.
 */
export const memoryTrailStep: PurgeStep = async (env, userId) => {
	const results = await env.DB.batch([
		env.DB.prepare("DELETE FROM memory_history WHERE id IN (SELECT id FROM memory_history WHERE owner_id = ?1 LIMIT ?2)").bind(userId, ROW_PAGE),
		env.DB.prepare("DELETE FROM memory_events WHERE id IN (SELECT id FROM memory_events WHERE owner_id = ?1 LIMIT ?2)").bind(userId, ROW_PAGE),
		env.DB.prepare("DELETE FROM memory_feedback WHERE owner_id = ?1").bind(userId),
		forgetScopes(env, userId),
		bumpEpoch(env, userId),
	]);
	return results.slice(0, -1).reduce((n, r) => n + changes(r), 0);
};

/** A page of the user's conversations with their items and turns. */
export const conversationsStep: PurgeStep = async (env, userId) => {
	const { results } = await env.DB.prepare("SELECT id FROM conversations WHERE owner_id = ?1 LIMIT ?2").bind(userId, CONVERSATION_PAGE).all<{ id: string }>();
	if (results.length === 0) return 0;
	const ids = JSON.stringify(results.map((r) => r.id));
	await env.DB.batch([
		env.DB.prepare("DELETE FROM conversation_items WHERE conversation_id IN (SELECT value FROM json_each(?1))").bind(ids),
		env.DB.prepare("DELETE FROM conversation_turns WHERE conversation_id IN (SELECT value FROM json_each(?1))").bind(ids),
		env.DB.prepare("DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?1))").bind(ids),
	]);
	return results.length;
};

/** A page of the user's stored Responses (their inputs and outputs). */
export const responsesStep: PurgeStep = async (env, userId) =>
	changes(await env.DB.prepare("DELETE FROM responses WHERE id IN (SELECT id FROM responses WHERE owner_id = ?1 LIMIT ?2)").bind(userId, ROW_PAGE).run());

/**
 * A page of one of the user's batches (/v1/batches, /v1/messages/batches): its lines, then, when none are left, its
 * row. Their input, output and error files are the user's files, which the files step removes.
 */
export const batchesStep: PurgeStep = async (env, userId) => {
	const batch = await env.DB.prepare("SELECT id FROM batches WHERE user_id = ?1 LIMIT 1").bind(userId).first<{ id: string }>();
	if (!batch) return 0;
	const lines = changes(
		await env.DB.prepare("DELETE FROM batch_lines WHERE rowid IN (SELECT rowid FROM batch_lines WHERE batch_id = ?1 LIMIT ?2)").bind(batch.id, ROW_PAGE).run(),
	);
	if (lines > 0) return lines;
	return changes(await env.DB.prepare("DELETE FROM batches WHERE id = ?1").bind(batch.id).run());
};

/** The user's chat apps; their keys are tokens rows, revoked when the purge began and kept for the ledger. */
export const appsStep: PurgeStep = async (env, userId) => changes(await env.DB.prepare("DELETE FROM apps WHERE owner_id = ?1").bind(userId).run());

/** In order: stores before files (a file's chunks are in the stores), memories before their trail. */
export const PURGE_STEPS: readonly PurgeStep[] = [
	vectorStoresStep,
	batchesStep,
	filesStep,
	memoriesStep,
	memoryTrailStep,
	conversationsStep,
	responsesStep,
	appsStep,
];
