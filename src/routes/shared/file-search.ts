import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { GatewayError } from "../../errors/gateway-error";
import { attributeFilter } from "../../knowledge/filters";
import { searchStores } from "../../knowledge/search";
import { findStore } from "../../knowledge/vector-stores";
import { randomBase62 } from "../../lib/crypto";
import type { FileSearch } from "../../protocols/file-search";
import { hybridSearch, ranker } from "../vector-store-schemas";

/** A file search's options: OpenAI's `file_search` tool without its `type`, as the dialects without the tool take it. */
export const fileSearchOptions = z.object({
	vector_store_ids: z.array(z.string().min(1).max(100)).min(1).max(16),
	max_num_results: z.number().int().min(1).max(50).default(10),
	filters: attributeFilter.nullish(),
	ranking_options: z
		.looseObject({ ranker: ranker.optional(), score_threshold: z.number().min(0).max(1).optional(), hybrid_search: hybridSearch.optional() })
		.nullish(),
});

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every key of a JSON value in snake_case (the option and filter keys; attribute names are values, never keys). */
function snakeKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(snakeKeys);
	if (typeof value !== "object" || value === null) return value;
	return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), snakeKeys(v)]));
}

/** The options as Gemini's camelCase request spells them (`vectorStoreIds`, `maxNumResults`, `rankingOptions`…). */
export const geminiFileSearchOptions = z.preprocess(snakeKeys, fileSearchOptions);

/** OpenAI's `file_search` tool, as /v1/responses takes it. */
const fileSearchTool = fileSearchOptions.extend({ type: z.literal("file_search") });

const includes = z.array(z.string()).nullish();

/** A request's tools split into the file search the gateway runs and the rest, which go to the model. */
export function splitFileSearch(tools: readonly { type: string }[] | null | undefined) {
	const all = tools ?? [];
	const mine = all.filter((t) => t.type === "file_search");
	if (mine.length > 1) throw new GatewayError("invalid_request", "Give at most one file_search tool", { param: "tools" });
	const [tool] = mine;
	if (!tool) return undefined;
	const parsed = fileSearchTool.safeParse(tool);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new GatewayError("invalid_request", `Invalid file_search tool: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(), { param: "tools" });
	}
	return { tool: parsed.data, others: all.filter((t) => t.type !== "file_search") };
}

/**
 * Runs a file search for a chat: over the caller's own stores (another user's store is a 404, as on every vector
 * store route), for `query`, as the caller's key (its query embedding billed like any). The result goes to the model
 * as excerpts and to the client as the `file_search_call` item.
 */
export async function runFileSearch(c: Context<AppEnv>, tool: z.output<typeof fileSearchOptions>, query: string, include?: unknown): Promise<FileSearch> {
	const caller = c.get("caller");
	const stores = await Promise.all(tool.vector_store_ids.map((id) => findStore(c.env.DB, id, caller.userId)));
	const context = { env: c.env, waitUntil: (w: Promise<unknown>) => c.executionCtx.waitUntil(w), caller, requestId: c.get("requestId"), trace: c.get("trace") };
	const hits = query.trim()
		? await searchStores(context, stores, {
				query,
				maxResults: tool.max_num_results,
				filter: tool.filters ?? undefined,
				scoreThreshold: tool.ranking_options?.score_threshold ?? 0,
				weights: tool.ranking_options?.hybrid_search,
				ranker: tool.ranking_options?.ranker,
			})
		: [];
	return {
		id: randomBase62("fs_", 24),
		queries: [query],
		hits: hits.map((h) => ({ file_id: h.fileId, filename: h.filename, score: h.score, text: h.text, attributes: h.attributes })),
		includeResults: includes.safeParse(include).data?.includes("file_search_call.results") ?? false,
	};
}
