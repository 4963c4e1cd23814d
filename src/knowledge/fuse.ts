/**
 * Reciprocal rank fusion of ranked lists (vector and keyword hits): each list adds weight / (k + rank) to the items
 * it ranks. Ranks, not raw scores, are fused, because cosine similarity and BM25 live on unrelated scales. The score
 * is divided by the most an item can get (rank 1 in every list), so it lies in (0, 1].
 */
export interface RankedList {
	/** Chunk ids, best first. */
	ids: readonly number[];
	/**
	 * Their scores, when the list has them: items with equal scores share the better rank, so the list's arbitrary
	 * order among them (BM25 gives chunks of one length that share the same words the same score) decides nothing
	 * and the other list does.
	 */
	scores?: readonly number[];
	weight: number;
}

export interface FusedHit {
	chunkId: number;
	score: number;
}

/** RRF's usual constant: it flattens the head of each list, so one list's first place does not decide alone. */
export const RRF_K = 60;

/** Each item's 1-based rank, ties sharing the best (standard competition ranking: 1, 2, 2, 4). */
function ranks({ ids, scores }: RankedList): number[] {
	const out: number[] = [];
	for (let i = 0; i < ids.length; i++) {
		const tied = i > 0 && scores !== undefined && scores[i] === scores[i - 1];
		out.push(tied ? (out[i - 1] ?? 1) : i + 1);
	}
	return out;
}

export function fuse(lists: readonly RankedList[], k = RRF_K): FusedHit[] {
	const scores = new Map<number, number>();
	for (const list of lists) {
		const rankOf = ranks(list);
		for (const [i, id] of list.ids.entries()) scores.set(id, (scores.get(id) ?? 0) + list.weight / (k + (rankOf[i] ?? i + 1)));
	}
	const best = lists.reduce((sum, l) => sum + l.weight, 0) / (k + 1);
	return [...scores].map(([chunkId, score]) => ({ chunkId, score: best > 0 ? score / best : 0 })).sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
}
