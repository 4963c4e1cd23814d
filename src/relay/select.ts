export interface Weighted {
	priority: number;
	weight: number;
}

/** The channels grouped by priority, highest tier first: every policy orders inside a tier, never across. */
export function byTier<T extends Weighted>(channels: readonly T[]): T[][] {
	const tiers = new Map<number, T[]>();
	for (const ch of channels) {
		const tier = tiers.get(ch.priority);
		if (tier) tier.push(ch);
		else tiers.set(ch.priority, [ch]);
	}
	return [...tiers.keys()].sort((a, b) => b - a).map((priority) => tiers.get(priority) ?? []);
}

/** A weighted random draw without replacement, so failover within a tier still respects the weights. */
export function weightedOrder<T extends Weighted>(tier: readonly T[], random: () => number = Math.random): T[] {
	const pool = [...tier];
	const ordered: T[] = [];
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
	return ordered;
}

/** The default order in which to try channels: highest priority tier first; inside a tier, weighted random. */
export function orderCandidates<T extends Weighted>(channels: readonly T[], random: () => number = Math.random): T[] {
	return byTier(channels).flatMap((tier) => weightedOrder(tier, random));
}
