/** The usage filters: the form's fields as typed, and the API query they make. */

import { idOf, isoOf } from "../../components/filter-values";

/** The form's fields, as typed; `params` turns them into the API's query. */
export interface Filters {
	model: string;
	status: string;
	token_id: string;
	channel_id: string;
	user_id: string;
	from: string;
	to: string;
}

export const NO_FILTERS: Filters = { model: "", status: "", token_id: "", channel_id: "", user_id: "", from: "", to: "" };
export const STATUSES = ["400", "401", "402", "403", "404", "408", "413", "429", "499", "500", "502", "503", "504"];

export function params(f: Filters, admin: boolean) {
	return {
		model: f.model.trim() || undefined,
		status: f.status || undefined,
		token_id: idOf(f.token_id),
		channel_id: idOf(f.channel_id),
		user_id: admin ? idOf(f.user_id) : undefined,
		from: isoOf(f.from),
		to: isoOf(f.to),
	};
}
