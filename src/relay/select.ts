export interface Weighted {
	priority: number;
	weight: number;
}

/**
 * The order in which to try channels: highest priority tier first; inside a tier, a weighted random
 * draw without replacement, so failover within a tier still respects the weights.
 */
export function orderCandidates<T extends Weighted>(channels: readonly T[], random: () => number = Math.random): T[] {
	const tiers = new Map<number, T[]>();
	for (const ch of channels) {
		const tier = tiers.get(ch.priority);
		if (tier) tier.push(ch);
		else tiers.set(ch.priority, [ch]);
	}
	const ordered: T[] = [];
	for (const priority of [...tiers.keys()].sort((a, b) => b - a)) {
		const pool = [...(tiers.get(priority) ?? [])];
		while (pool.length > 0) {
			const total = pool.reduce((sum, ch) => sum + Math.max(ch.weight, 0), 0);
			let index = 0;
			if (total > 0) {
				let r = random() * total;
				while (index < pool.length - 1) {
					r -= Math.max(pool[index]?.weight ?? 0, 0);
					if (r < 0) break;
					index++;
				}
			} else {
				index = Math.floor(random() * pool.length);
			}
			const [picked] = pool.splice(index, 1);
			if (picked) ordered.push(picked);
		}
	}
	return ordered;
}
