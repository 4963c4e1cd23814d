import { Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { type RerankCall, relayRerank } from "../relay/rerank";
import { rerankRequest, rerankResponse } from "./rerank-schemas";
import { relayed } from "./shared/relayed";

/**
 * Jina answers each result with its document unless told not to; Cohere's v2 API never does (its clients cannot ask).
 * So `/v1/rerank` (Jina's path, and Cohere v1's) returns them by default and `/v2/rerank` (Cohere v2's) does not.
 */
function rerankCall(body: z.output<typeof rerankRequest>, documentsByDefault: boolean): RerankCall {
	return {
		model: body.model,
		query: body.query,
		documents: body.documents.map((d) => (typeof d === "string" ? d : d.text)),
		topN: body.top_n ?? body.top_k,
		returnDocuments: body.return_documents ?? documentsByDefault,
		maxTokensPerDoc: body.max_tokens_per_doc,
	};
}

/** Rerank in the shape Cohere's and Jina's clients use, at both their paths; mounted at the root. */
export const rerankRoutes = new Hono<AppEnv>()
	.post("/v1/rerank", usageMeter(), callerAuth(), bodyLimit(), valid("json", rerankRequest), (c) =>
		relayed(c, (req) => relayRerank(req, rerankCall(c.req.valid("json"), true))),
	)
	.post("/v2/rerank", usageMeter(), callerAuth(), bodyLimit(), valid("json", rerankRequest), (c) =>
		relayed(c, (req) => relayRerank(req, rerankCall(c.req.valid("json"), false))),
	);

const doc = (path: string, summary: string): OperationDoc => ({
	method: "post",
	path,
	summary,
	tag: "Relay",
	auth: "key",
	body: rerankRequest,
	response: rerankResponse,
	errors: [403, 413, 429, 502, 503, 504],
});

export const rerankDocs: OperationDoc[] = [
	doc("/v1/rerank", "Rerank documents by relevance to a query (Cohere's and Jina's shape; documents returned unless `return_documents` is false)"),
	doc("/v2/rerank", "Rerank documents, as Cohere's v2 clients call it (documents returned only when `return_documents` is true)"),
];
