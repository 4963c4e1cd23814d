/** The models the chosen key may call, as GET /v1/models would list them for it. */

import { get, query } from "../../api";
import { type Loaded, useLoad } from "../../components/async";

export function useKeyModels(tokenId: string): Loaded<string[]> {
	return useLoad(
		() =>
			tokenId
				? get<{ data: { id: string }[] }>(`/api/playground/models${query({ token_id: tokenId })}`).then((r) => r.data.map((m) => m.id))
				: Promise.resolve([]),
		[tokenId],
	);
}
