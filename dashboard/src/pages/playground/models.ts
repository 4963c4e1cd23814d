/** The models the playground suggests: every priced one, and for the operator every channel's. */

import { useEffect, useState } from "preact/hooks";
import { get } from "../../api";
import type { Channel, Price } from "../../components/api-types";

export function useModels(admin: boolean): string[] {
	const [models, setModels] = useState<string[]>([]);
	useEffect(() => {
		let live = true;
		const sources: Promise<string[]>[] = [get<{ data: Price[] }>("/api/prices").then((r) => r.data.map((p) => p.model))];
		if (admin) sources.push(get<{ data: Channel[] }>("/api/channels").then((r) => r.data.flatMap((c) => c.models)));
		// Suggestions only: a source that fails just suggests less.
		void Promise.allSettled(sources).then((results) => {
			const names = new Set<string>();
			for (const r of results) if (r.status === "fulfilled") for (const m of r.value) names.add(m);
			if (live) setModels([...names].sort());
		});
		return () => {
			live = false;
		};
	}, [admin]);
	return models;
}
