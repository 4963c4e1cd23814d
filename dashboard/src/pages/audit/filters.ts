/** The audit filters: the form's fields as typed, and the API query they make. */

import { idOf, isoOf } from "../../components/filter-values";

export interface Filters {
	action: string;
	actor_type: string;
	result: string;
	user_id: string;
	object_type: string;
	object_id: string;
	from: string;
	to: string;
}

export const NO_FILTERS: Filters = { action: "", actor_type: "", result: "", user_id: "", object_type: "", object_id: "", from: "", to: "" };

/** A user sees only their own entries whatever they ask, so the user filter is the operator's alone. */
export function params(f: Filters, admin: boolean) {
	return {
		action: f.action.trim() || undefined,
		actor_type: f.actor_type || undefined,
		result: f.result || undefined,
		user_id: admin ? idOf(f.user_id) : undefined,
		object_type: f.object_type.trim() || undefined,
		object_id: f.object_id.trim() || undefined,
		from: isoOf(f.from),
		to: isoOf(f.to),
	};
}
