import { estimateRerankTokens, type RerankBody, searchUnitsFor } from "../protocols/rerank";
import { dispatch } from "./dispatch";
import { rerankReader } from "./read-answer";
import { recordAnswer } from "./record";
import { answered, type RelayRequest } from "./request";

/** A rerank request as the HTTP layer or the vector store search hands it over: the documents as text. */
export interface RerankCall {
	model: string;
	query: string;
	documents: string[];
	/** How many of the best to return; all when absent. */
	topN?: number | undefined;
	/** Each result carries its document's text. */
	returnDocuments: boolean;
	maxTokensPerDoc?: number | undefined;
}

export interface RerankResult {
	index: number;
	relevance_score: number;
	document?: { text: string };
}

/** The answer in the shape Cohere's and Jina's clients both read. */
export interface Reranked {
	id: string;
	model: string;
	results: RerankResult[];
	meta: { billed_units: { search_units: number } };
	usage: { total_tokens: number };
}

/**
 * Rerank through the channels that serve the model, as any relayed request: admitted, limited, failed over and
 * metered. Billed by tokens (the upstream's count, else the gateway's estimate) at the model's input price, plus its
 * per-request price. The ranking is put best first and cut to `topN` here too, whatever the upstream did with them.
 */
export async function rerank(req: RelayRequest, call: RerankCall): Promise<Reranked> {
	let estimate: number | undefined;
	const tokens = () => (estimate ??= estimateRerankTokens(call.query, call.documents));
	const body: RerankBody = { model: call.model, query: call.query, documents: call.documents, return_documents: false };
	if (call.topN !== undefined) body.top_n = call.topN;
	if (call.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = call.maxTokensPerDoc;
	const done = await dispatch(req, {
		op: "rerank",
		model: call.model,
		stream: false,
		bodyFor: () => ({ ...body }),
		estimate: () => ({ promptTokens: tokens(), outputTokens: 0 }),
		read: rerankReader(call.documents.length),
	});
	const { ranked, tokens: reported, searchUnits } = done.answer;
	recordAnswer(req, reported === undefined ? undefined : { promptTokens: reported, completionTokens: 0, cachedTokens: 0 }, tokens, 0);
	const results = [...ranked]
		.sort((a, b) => b.relevanceScore - a.relevanceScore || a.index - b.index)
		.slice(0, call.topN ?? ranked.length)
		.map(({ index, relevanceScore }) => ({
			index,
			relevance_score: relevanceScore,
			...(call.returnDocuments ? { document: { text: call.documents[index] ?? "" } } : {}),
		}));
	return {
		id: crypto.randomUUID(),
		model: call.model,
		results,
		meta: { billed_units: { search_units: searchUnits ?? searchUnitsFor(call.documents.length) } },
		usage: { total_tokens: reported ?? tokens() },
	};
}

export async function relayRerank(req: RelayRequest, call: RerankCall): Promise<Response> {
	return answered(req, JSON.stringify(await rerank(req, call)), { "content-type": "application/json" });
}
