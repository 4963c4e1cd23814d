/** Which of a channel's models have no price: the price list is read once for the page, not once per model. */

import { get } from "../../api";
import type { Price } from "../../components/api-types";
import { useLoad } from "../../components/async";

/** `unpriced(channelId, models)`: the models with neither a general price nor this channel's own; none while loading. */
export function useUnpriced(): { unpriced: (channelId: number | null, models: string[]) => string[]; reload: () => void } {
	const prices = useLoad(() => get<{ data: Price[] }>("/api/prices").then((r) => r.data), []);
	const unpriced = (channelId: number | null, models: string[]) => {
		const list = prices.data;
		if (!list) return [];
		const priced = new Set(list.filter((p) => p.channel_id === null || p.channel_id === channelId).map((p) => p.model));
		return models.filter((m) => !priced.has(m));
	};
	return { unpriced, reload: prices.reload };
}
