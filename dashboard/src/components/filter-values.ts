/** A filter form's text inputs as query values: what the API takes, or undefined (left out of the query). */

/** A `datetime-local` value (local time) as ISO 8601 UTC; empty or invalid gives undefined. */
export function isoOf(local: string): string | undefined {
	if (!local) return undefined;
	const ms = new Date(local).getTime();
	return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A positive integer id as typed; anything else gives undefined. */
export const idOf = (s: string): string | undefined => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? s.trim() : undefined);
