/** Channel health: each channel's circuit breaker, fetched in parallel and polled while the page is open. */

import { useCallback, useEffect, useState } from "preact/hooks";
import { get } from "../../api";
import type { Channel, ChannelHealth } from "../../components/api-types";

export type HealthEntry = { health: ChannelHealth } | { error: string };

/** Health is polled while the page is open and visible. */
const HEALTH_EVERY_MS = 15_000;

/** The breakers of `channels`, by channel id; `refreshHealth` fetches one again, `showHealth` puts in one the API answered. */
export function useHealth(channels: Channel[] | undefined) {
	const [health, setHealth] = useState<Record<number, HealthEntry>>({});

	const refreshHealth = useCallback(async (id: number) => {
		try {
			const h = await get<ChannelHealth>(`/api/channels/${id}/health`);
			setHealth((prev) => ({ ...prev, [id]: { health: h } }));
		} catch (err) {
			setHealth((prev) => ({ ...prev, [id]: { error: (err as Error).message } }));
		}
	}, []);

	// Every channel's breaker in parallel, again on a timer while the tab is visible.
	const ids = channels?.map((c) => c.id).join(",") ?? "";
	useEffect(() => {
		if (!ids) return;
		const all = ids.split(",").map(Number);
		const refreshAll = () => {
			for (const id of all) void refreshHealth(id);
		};
		refreshAll();
		const timer = setInterval(() => {
			if (document.visibilityState === "visible") refreshAll();
		}, HEALTH_EVERY_MS);
		return () => clearInterval(timer);
	}, [ids, refreshHealth]);

	const showHealth = (id: number, h: ChannelHealth) => setHealth((prev) => ({ ...prev, [id]: { health: h } }));

	return { health, refreshHealth, showHealth };
}
