/**
 * Reciprocal rank fusion of ranked lists (vector and keyword hits): each list adds weight / (k + rank) to the items
 * it ranks. Ranks, not raw scores, are fused, because cosine similarity and BM25 live on unrelated scales. The score
 * is divided by the most an item can get (rank 1 in every list), so it lies in (0, 1].
 */
export interface RankedList {
	/** Chunk ids, best first. */
	ids: readonly number[];
	weight: number;
}

export interface FusedHit {
	chunkId: number;
	score: number;
}

/** RRF's usual constant: it flattens the head of each list, so one list's first place does not decide alone. */
export const RRF_K = 60;

export function fuse(lists: readonly RankedList[], k = RRF_K): FusedHit[] {
	const scores = new Map<number, number>();
	for (const { ids, weight } of lists) {
		for (const [i, id] of ids.entries()) scores.set(id, (scores.get(id) ?? 0) + weight / (k + i + 1));
	}
	const best = lists.reduce((sum, l) => sum + l.weight, 0) / (k + 1);
	return [...scores].map(([chunkId, score]) => ({ chunkId, score: best > 0 ? score / best : 0 })).sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
}
