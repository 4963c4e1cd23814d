/** The usage filters: the form's fields as typed, and the API query they make. */

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

/** A `datetime-local` value (local time) as ISO 8601 UTC; empty or invalid gives undefined. */
function isoOf(local: string): string | undefined {
	if (!local) return undefined;
	const ms = new Date(local).getTime();
	return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

const idOf = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? s.trim() : undefined);

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
