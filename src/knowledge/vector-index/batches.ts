/** Consecutive slices of at most `size` items: Vectorize takes 1,000 vectors per upsert from a Worker. */
export function batches<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}
